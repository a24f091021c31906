-- What progress reads of an adaptive-exam response besides its Rasch part: the categories of the
-- item (or case-study item) it answered, the points it earned and whether an answer was given.
-- The exam measures no time per item, so none is stored.
--
-- Responses stored before this migration take their categories from the item bank (every item an
-- exam presents is stored there); their points stay unknown (NULL), and so does `answered` for
-- the items of a case study (a stand-alone item always had an answer sent). Also an index for the
-- calibration report's pages.

ALTER TABLE cat_responses ADD COLUMN item_type TEXT;
ALTER TABLE cat_responses ADD COLUMN ncjmm_function TEXT;
ALTER TABLE cat_responses ADD COLUMN aacn_competency TEXT;
ALTER TABLE cat_responses ADD COLUMN points INTEGER CHECK (points >= 0);
ALTER TABLE cat_responses ADD COLUMN max_points INTEGER CHECK (max_points >= 0);
ALTER TABLE cat_responses ADD COLUMN answered INTEGER CHECK (answered IN (0, 1));

-- Stand-alone items: the bank row has the response's own id.
UPDATE cat_responses SET
    item_type = (SELECT i.item_type FROM items i WHERE i.id = cat_responses.item_id),
    ncjmm_function = (SELECT i.ncjmm_function FROM items i WHERE i.id = cat_responses.item_id),
    aacn_competency = (SELECT json_extract(i.body, '$.aacn_competency') FROM items i
                       WHERE i.id = cat_responses.item_id),
    answered = 1
WHERE item_id = entry_id;

-- The items of a case study: the bank row is the case study, the item one of its `items`.
UPDATE cat_responses SET
    item_type = (SELECT json_extract(p.value, '$.item_type')
                 FROM items i, json_each(i.body, '$.items') p
                 WHERE i.id = cat_responses.entry_id
                   AND json_extract(p.value, '$.id') = cat_responses.item_id),
    ncjmm_function = (SELECT json_extract(p.value, '$.ncjmm_function')
                      FROM items i, json_each(i.body, '$.items') p
                      WHERE i.id = cat_responses.entry_id
                        AND json_extract(p.value, '$.id') = cat_responses.item_id),
    aacn_competency = (SELECT json_extract(p.value, '$.aacn_competency')
                       FROM items i, json_each(i.body, '$.items') p
                       WHERE i.id = cat_responses.entry_id
                         AND json_extract(p.value, '$.id') = cat_responses.item_id)
WHERE item_id <> entry_id;

-- The calibration report pages through the items in this order.
CREATE INDEX item_calibrations_report ON item_calibrations (misfit DESC, item_id);
