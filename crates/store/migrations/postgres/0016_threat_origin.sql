-- The threat catalogue tells the policy's words from the assembly's additions (issue 13).
-- origin: 'policy' for a threat clause 3 names, 'addition' for one the assembly added
-- (built in with mamori or entered by the security officer); pages never present an
-- addition as the policy's words. Rows already stored are 'policy' when they carry a
-- name the seed policy gives in that family, else 'addition'.
-- name_en: the English name of a built-in threat, shown on English pages while the
-- Japanese name is as delivered (renaming a threat clears it).
ALTER TABLE threats ADD COLUMN origin TEXT NOT NULL DEFAULT 'addition';
ALTER TABLE threats ADD COLUMN name_en TEXT NOT NULL DEFAULT '';

UPDATE threats SET origin = 'policy', name_en = 'Unauthorised access' WHERE family = 'intentional' AND name = '不正アクセス';
UPDATE threats SET origin = 'policy', name_en = 'Malware attack' WHERE family = 'intentional' AND name = 'ウイルス攻撃';
UPDATE threats SET origin = 'policy', name_en = 'Denial-of-service attack' WHERE family = 'intentional' AND name = 'サービス不能攻撃';
UPDATE threats SET origin = 'policy', name_en = 'Intrusion by outsiders' WHERE family = 'intentional' AND name = '部外者の侵入';
UPDATE threats SET origin = 'policy', name_en = 'Theft of important information by deception' WHERE family = 'intentional' AND name = '重要情報の詐取';
UPDATE threats SET origin = 'policy', name_en = 'Insider wrongdoing' WHERE family = 'intentional' AND name = '内部不正';
UPDATE threats SET origin = 'policy', name_en = 'Taking information assets out without permission' WHERE family = 'unintentional' AND name = '情報資産の無断持ち出し';
UPDATE threats SET origin = 'policy', name_en = 'Use of unapproved software' WHERE family = 'unintentional' AND name = '無許可ソフトウェアの使用';
UPDATE threats SET origin = 'policy', name_en = 'Design and development flaws' WHERE family = 'unintentional' AND name = '設計・開発の不備';
UPDATE threats SET origin = 'policy', name_en = 'Program defects' WHERE family = 'unintentional' AND name = 'プログラム上の欠陥';
UPDATE threats SET origin = 'policy', name_en = 'Operating and configuration mistakes' WHERE family = 'unintentional' AND name = '操作・設定ミス';
UPDATE threats SET origin = 'policy', name_en = 'Poor maintenance' WHERE family = 'unintentional' AND name = 'メンテナンス不備';
UPDATE threats SET origin = 'policy', name_en = 'Failures of internal or external audit' WHERE family = 'unintentional' AND name = '内部・外部監査機能の不備';
UPDATE threats SET origin = 'policy', name_en = 'Poor oversight of contractors' WHERE family = 'unintentional' AND name = '外部委託管理の不備';
UPDATE threats SET origin = 'policy', name_en = 'Management failures' WHERE family = 'unintentional' AND name = 'マネジメントの欠陥';
UPDATE threats SET origin = 'policy', name_en = 'Equipment failure' WHERE family = 'unintentional' AND name = '機器故障';
UPDATE threats SET origin = 'policy', name_en = 'Earthquake' WHERE family = 'disaster' AND name = '地震';
UPDATE threats SET origin = 'policy', name_en = 'Lightning' WHERE family = 'disaster' AND name = '落雷';
UPDATE threats SET origin = 'policy', name_en = 'Fire' WHERE family = 'disaster' AND name = '火災';
UPDATE threats SET origin = 'policy', name_en = 'Staff shortage from a large-scale, widespread illness' WHERE family = 'pandemic' AND name = '大規模・広範囲にわたる疾病による要員不足';
UPDATE threats SET origin = 'policy', name_en = 'Loss of power supply' WHERE family = 'infrastructure' AND name = '電力供給の途絶';
UPDATE threats SET origin = 'policy', name_en = 'Loss of communications' WHERE family = 'infrastructure' AND name = '通信の途絶';
UPDATE threats SET origin = 'policy', name_en = 'Loss of water supply' WHERE family = 'infrastructure' AND name = '水道供給の途絶';

-- 紛失・盗難, 誤送信・誤送付 and 誤廃棄 join an existing catalogue under 3(2) (see
-- mamori_domain::threat for why a theft is filed there); a new installation gets them
-- from the seed, so nothing is added to an empty catalogue. A threat of that name the
-- security officer already entered is kept as it is.
-- Rows written with explicit ids (a restore, an import) leave the identity behind.
SELECT setval(pg_get_serial_sequence('threats', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM threats), false);
INSERT INTO threats (family, name, description, clause_ref, origin, name_en, created_at, updated_at)
SELECT 'unintentional', '紛失・盗難', 'タブレット、ノートパソコン、USBメモリ、書類などを置き忘れ、紛失し、又は盗まれること。', '3(2)', 'addition', 'Loss or theft', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
WHERE EXISTS (SELECT 1 FROM threats)
  AND NOT EXISTS (SELECT 1 FROM threats WHERE family = 'unintentional' AND name = '紛失・盗難');
INSERT INTO threats (family, name, description, clause_ref, origin, name_en, created_at, updated_at)
SELECT 'unintentional', '誤送信・誤送付', '電子メール、ファクシミリ、郵便などで、宛先や添付・同封する資料を誤って送ること。', '3(2)', 'addition', 'Sending to the wrong recipient', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
WHERE EXISTS (SELECT 1 FROM threats)
  AND NOT EXISTS (SELECT 1 FROM threats WHERE family = 'unintentional' AND name = '誤送信・誤送付');
INSERT INTO threats (family, name, description, clause_ref, origin, name_en, created_at, updated_at)
SELECT 'unintentional', '誤廃棄', '保存期間中の文書や記録媒体を、誤って廃棄し、又は消去すること。', '3(2)', 'addition', 'Disposal by mistake', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
WHERE EXISTS (SELECT 1 FROM threats)
  AND NOT EXISTS (SELECT 1 FROM threats WHERE family = 'unintentional' AND name = '誤廃棄');
