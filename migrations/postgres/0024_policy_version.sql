-- A policy's version, raised by each save: an edit made from a form read before someone
-- else's save is refused (409), not silently written over it.
ALTER TABLE policies ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
