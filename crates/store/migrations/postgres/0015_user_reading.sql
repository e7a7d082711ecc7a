-- A user's optional reading (ふりがな), kept in hiragana so that user lists and every
-- choice of a person sort in 五十音順 (code-point order of hiragana is that order).
ALTER TABLE users ADD COLUMN reading TEXT;
CREATE INDEX users_reading ON users (reading, display_name, login);
