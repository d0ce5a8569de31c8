-- A generated or reset password is one-time: its owner must choose a new one before
-- doing anything else.
ALTER TABLE users ADD COLUMN must_change_password BOOL NOT NULL DEFAULT FALSE AFTER password_hash;
