-- A password may be 200 characters, up to 800 bytes in UTF-8; sealed, it gains a 24-byte
-- nonce and a 16-byte tag. 512 bytes refused the longest valid passwords.
ALTER TABLE connection_configs MODIFY password_ciphertext VARBINARY(1024) NULL;
