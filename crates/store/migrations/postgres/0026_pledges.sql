-- Pledges (誓約書, issue 17 item 6): a pledge text is a policy document of kind 'pledge';
-- its acknowledgement row is the signature. An acknowledgement now says how it was given:
-- way: signed_in_app (the person pressed the button; acknowledged_at is when) | paper
-- (signed on paper and recorded by the security officer: recorded_by, acknowledged_at is
-- when it was recorded, signed_on the day written on the paper, ISO 8601).
-- attachment_id: the scan of the paper pledge in the file store (attachments of record
-- kind 'pledge', whose record id is this row's id). No foreign key: backups restore the
-- acknowledgements before the file store.
ALTER TABLE policy_acknowledgements ADD COLUMN way TEXT NOT NULL DEFAULT 'signed_in_app';
ALTER TABLE policy_acknowledgements ADD COLUMN signed_on TEXT;
ALTER TABLE policy_acknowledgements ADD COLUMN recorded_by BIGINT REFERENCES users (id);
ALTER TABLE policy_acknowledgements ADD COLUMN attachment_id BIGINT;
