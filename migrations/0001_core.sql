-- Core tables of the appliance: the health probe row and instance settings.
-- Later migrations add accounts, the item bank, attempts and analytics.

CREATE TABLE health_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
) STRICT;

-- Key/value settings the server owns (instance id, first-start time).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
