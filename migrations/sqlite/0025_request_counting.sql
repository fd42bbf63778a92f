-- The day a request's deadlines are counted from when it is not the day it was registered: the
-- day of its 重办, which gives it fresh deadlines. Its colour (the share of time left) and its
-- reminders count from here. NULL: from registered_on.
ALTER TABLE requests ADD COLUMN counted_from TEXT;
