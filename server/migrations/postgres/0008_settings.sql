-- Site-wide settings an administrator changes on the users page (e.g.
-- `require_second_factor`), kept here so every replica reads the same.
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
