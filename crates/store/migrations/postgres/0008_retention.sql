-- 保存期間 is kept as written (issue 11): the codes earlier versions stored become the
-- words a register uses for them, which read back to the same meaning.
UPDATE assets SET retention = '永年' WHERE retention = 'permanent';
UPDATE assets SET retention = '1年未満' WHERE retention = 'under_1y';
UPDATE assets SET retention = '任期中' WHERE retention = 'term';
UPDATE assets SET retention = '契約終了まで' WHERE retention = 'contract';
UPDATE assets SET retention = left(retention, -1) || '年'
 WHERE retention ~ '^[0-9]{1,2}y$';
