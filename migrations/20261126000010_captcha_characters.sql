-- The characters of a captcha image, so that its audio version can say them.
ALTER TABLE captcha_challenges ADD COLUMN characters TEXT;
