-- The item bank: generated items that were served, and items instructors wrote or edited.

CREATE TABLE items (
    id             TEXT PRIMARY KEY,
    item_type      TEXT NOT NULL,
    client_need    TEXT NOT NULL,
    ncjmm_function TEXT NOT NULL,
    topic          TEXT NOT NULL,
    difficulty     TEXT NOT NULL,
    item_model     TEXT,
    origin         TEXT NOT NULL CHECK (origin IN ('generated', 'authored')),
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    -- Content signature: two items with the same one ask the same thing.
    signature      TEXT NOT NULL,
    body           TEXT NOT NULL,
    author_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX items_filter ON items (status, client_need, item_type);
CREATE INDEX items_topic ON items (topic);
CREATE INDEX items_signature ON items (signature);
