-- What activation sets: the password and the secret question (both hashed
-- but the question), and when the last activation link was sent.
ALTER TABLE accounts ADD COLUMN password_hash TEXT;
ALTER TABLE accounts ADD COLUMN secret_question TEXT;
ALTER TABLE accounts ADD COLUMN secret_answer_hash TEXT;
ALTER TABLE accounts ADD COLUMN activated_at BIGINT;
ALTER TABLE accounts ADD COLUMN activation_sent_at BIGINT;
