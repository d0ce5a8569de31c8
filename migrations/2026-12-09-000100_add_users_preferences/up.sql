-- Each user's language and time zone for the console, so they follow them to any
-- browser. NULL follows the browser (its cookie, Accept-Language, its own time zone).
ALTER TABLE users
  ADD COLUMN language VARCHAR(16) NULL AFTER must_change_password,
  ADD COLUMN time_zone VARCHAR(64) NULL AFTER language;
