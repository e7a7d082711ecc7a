-- Continuity (業務継続, issue 18 item 7; clauses 3 and 3(4)).
-- Critical services (重要業務): a built-in one has a code and its words in both languages;
-- one the assembly adds or rewrites keeps what was written (both columns the same).
-- rto_hours: the target recovery time (目標復旧時間) read from rto_text, as written.
-- workarounds_ja/_en: JSON arrays of lines (代替手段). post_id: the post responsible.
CREATE TABLE continuity_services (
    id             INTEGER PRIMARY KEY,
    code           TEXT UNIQUE,
    name_ja        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    description_ja TEXT NOT NULL,
    description_en TEXT NOT NULL,
    workarounds_ja TEXT NOT NULL,
    workarounds_en TEXT NOT NULL,
    priority       INTEGER NOT NULL,
    rto_hours      INTEGER NOT NULL,
    rto_text       TEXT NOT NULL,
    post_id        INTEGER REFERENCES org_posts (id),
    retired_at     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
INSERT INTO continuity_services (code, name_ja, name_en, description_ja, description_en,
    workarounds_ja, workarounds_en, priority, rto_hours, rto_text, post_id, created_at, updated_at)
SELECT v.code, v.name_ja, v.name_en, v.description_ja, v.description_en, v.workarounds_ja,
       v.workarounds_en, v.priority, v.rto_hours, v.rto_text,
       (SELECT id FROM org_posts WHERE role_code = v.post), '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z'
FROM (SELECT 'sittings' AS code, '本会議・委員会の運営' AS name_ja, 'Running plenary and committee sittings' AS name_en,
             '本会議・委員会の開会、議事進行、採決の記録' AS description_ja,
             'Opening sittings, running the proceedings and recording the votes' AS description_en,
             '["紙の議事日程・議案書で進行する","採決は起立・挙手で行い、事務局が紙に記録する","会場が使えないときは代替会場（庁舎内の会議室）で開く"]' AS workarounds_ja,
             '["Run the sitting from printed agendas and bills","Vote by standing or show of hands; the secretariat records the result on paper","If the chamber cannot be used, sit in the alternative room in the city hall"]' AS workarounds_en,
             1 AS priority, 24 AS rto_hours, '1日' AS rto_text, 'chief_security_officer' AS post
      UNION ALL SELECT 'contact_members', '議員への連絡', 'Contacting members',
             '招集、日程の変更、緊急時の安否確認などの議員への連絡',
             'Convening members, changes of schedule and checking members are safe in an emergency',
             '["紙の緊急連絡網で電話連絡する","電話がつながらないときはショートメッセージ・ファクスで送る"]',
             '["Call members by phone from the printed contact list","Where calls fail, send a text message or a fax"]',
             2, 4, '4時間', 'security_responsible'
      UNION ALL SELECT 'petitions', '請願・陳情の受付', 'Receiving petitions',
             '請願・陳情の受付、受付簿への記載、付託までの管理',
             'Receiving petitions, entering them in the register and keeping them until referred to a committee',
             '["紙の受付簿に記入し、受付印を押す","システム復旧後に受付簿から入力する"]',
             '["Write petitions into the paper register and stamp them received","Enter them from the paper register once the system is back"]',
             3, 72, '3日', 'security_manager'
      UNION ALL SELECT 'minutes', '会議録の作成', 'Preparing the minutes',
             '録音から会議録を作成し、校正・公開する',
             'Preparing the minutes from the recording, proofreading and publishing them',
             '["録音機を二台使い、録音を別の媒体にも保存する","反訳は委託事業者に紙・媒体で渡す"]',
             '["Record on two recorders and keep a copy of the recording on separate media","Hand the recording to the transcription contractor on media or paper"]',
             4, 168, '1週間', 'security_manager'
      UNION ALL SELECT 'broadcast', '議会中継', 'Broadcasting sittings',
             '本会議のインターネット中継・録画配信',
             'Live and recorded internet broadcasting of plenary sittings',
             '["中継できないことをホームページで知らせる","録画を後日配信する","傍聴席を開放する"]',
             '["Announce on the website that there is no broadcast","Publish the recording later","Open the public gallery"]',
             5, 72, '3日', 'system_staff') AS v;

-- What a service depends on: assets of the register (systems once they are registered).
CREATE TABLE continuity_service_assets (
    service_id INTEGER NOT NULL REFERENCES continuity_services (id),
    asset_id   INTEGER NOT NULL REFERENCES assets (id),
    PRIMARY KEY (service_id, asset_id)
);

-- The alternate-staff roster (代替要員, clause 3(4)): who covers whom — a person or a
-- post — optionally for one service, and the alternates in order.
CREATE TABLE continuity_covers (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER REFERENCES users (id),
    post_id    INTEGER REFERENCES org_posts (id),
    service_id INTEGER REFERENCES continuity_services (id),
    note       TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK (person_id IS NOT NULL OR post_id IS NOT NULL)
);
CREATE TABLE continuity_alternates (
    cover_id INTEGER NOT NULL REFERENCES continuity_covers (id),
    position INTEGER NOT NULL,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (cover_id, position)
);

-- A drill (訓練) is a training session of a course of kind drill; this is what it
-- exercised and how it went. Its findings are corrective actions whose source is the
-- session.
CREATE TABLE continuity_drills (
    session_id  INTEGER PRIMARY KEY REFERENCES training_sessions (id),
    scenario_id INTEGER REFERENCES response_plan_scenarios (id),
    went_well   TEXT NOT NULL,
    went_badly  TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    updated_at  TEXT NOT NULL
);
CREATE TABLE continuity_drill_services (
    session_id INTEGER NOT NULL REFERENCES continuity_drills (session_id),
    service_id INTEGER NOT NULL REFERENCES continuity_services (id),
    PRIMARY KEY (session_id, service_id)
);
