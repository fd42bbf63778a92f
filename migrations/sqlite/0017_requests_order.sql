-- The request lists walk these in the order they show, instead of sorting every matching row:
-- the open requests by closing deadline (the queue, an enterprise's own, a group's), the others
-- newest first. The open statuses are written as `requests::queries::OPEN` writes them, so the
-- planner sees that the partial indexes apply.
CREATE INDEX requests_open_by_deadline ON requests (park_id, close_by, id)
    WHERE status IN ('registered', 'accepted', 'in_progress', 'replied');
CREATE INDEX requests_open_of_enterprise ON requests (park_id, enterprise_id, close_by, id)
    WHERE status IN ('registered', 'accepted', 'in_progress', 'replied');
CREATE INDEX requests_open_of_group ON requests (park_id, team_group, close_by, id)
    WHERE status IN ('registered', 'accepted', 'in_progress', 'replied');
CREATE INDEX requests_newest_of_enterprise ON requests (park_id, enterprise_id, id);
CREATE INDEX requests_newest_by_status ON requests (park_id, status, id);
