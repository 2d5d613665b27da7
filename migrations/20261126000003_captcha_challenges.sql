-- Captcha challenges: the answer's hash, set when the image is drawn.
CREATE TABLE captcha_challenges (
    id TEXT PRIMARY KEY,
    answer_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX captcha_challenges_by_expiry ON captcha_challenges (expires_at);
