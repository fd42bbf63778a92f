-- The 回访 a 不满意 calls for: the day the enterprise rated the request and, for a 不满意, the
-- working day by which the team must visit it (one working day on, on the park's calendar).
-- A request awaiting its 回访 is closed and rated 不满意; the index walks them by that day.
-- Ratings given before this migration have no day: they are listed awaiting their 回访, with
-- no deadline counted, and come first (NULLS FIRST, as SQLite sorts them).
ALTER TABLE requests ADD COLUMN rated_on DATE;
ALTER TABLE requests ADD COLUMN visit_by DATE;
CREATE INDEX requests_awaiting_visit ON requests (park_id, visit_by NULLS FIRST, id)
    WHERE status = 'closed' AND rating = 'unsatisfied';
