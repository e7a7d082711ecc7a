//! Deterministic test data that looks like a Japanese assembly's register: the same seed
//! gives the same users and assets on every run and every backend, so runs compare.

use mamori_domain::asset::AssetInput;

/// xorshift64*: small, fast and good enough to pick words.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// 0..n
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 33) % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Picks by weight: `(weight, value)`.
    pub fn weighted<'a, T>(&mut self, items: &'a [(usize, T)]) -> &'a T {
        let total: usize = items.iter().map(|(w, _)| w).sum();
        let mut at = self.below(total);
        for (weight, value) in items {
            if at < *weight {
                return value;
            }
            at -= weight;
        }
        &items[items.len() - 1].1
    }
}

/// A user the benchmark creates.
pub struct BenchUser {
    pub login: String,
    pub display_name: String,
    pub member: bool,
}

const SURNAMES: [&str; 24] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
];
const GIVEN: [&str; 20] = [
    "一郎", "花子", "健太", "美咲", "大輔", "由美", "誠", "陽子", "翔太", "恵子", "浩二", "直美",
    "拓也", "裕子", "修", "真理", "剛", "明美", "和也", "智子",
];

/// 30 members and 8 secretariat staff (holders), unique display names.
pub fn holders() -> Vec<BenchUser> {
    let mut users = Vec::new();
    for i in 0..38 {
        // Steps through the name grid so no two users share a name.
        let surname = SURNAMES[i % SURNAMES.len()];
        let given = GIVEN[(i * 7) % GIVEN.len()];
        let member = i < 30;
        users.push(BenchUser {
            login: if member {
                format!("giin{:02}", i + 1)
            } else {
                format!("jimu{:02}", i - 29)
            },
            display_name: format!("{surname} {given}"),
            member,
        });
    }
    users
}

/// The category words as registers write them, weighted: most assets are information.
const CATEGORIES: [(usize, &str); 3] = [(18, "ア"), (70, "イ"), (12, "ウ")];

/// Names for each category (ア infrastructure, イ information, ウ system documents).
const INFRA: [&str; 10] = [
    "タブレット端末",
    "会議録検索システム",
    "ファイルサーバ",
    "無線LANアクセスポイント",
    "議会映像配信システム",
    "議場音響設備",
    "庁内ネットワーク機器",
    "電子採決システム",
    "USBメモリ",
    "議員用ノートパソコン",
];
const INFORMATION: [&str; 16] = [
    "本会議会議録",
    "委員会資料",
    "議事日程",
    "請願書",
    "陳情書",
    "政務活動費収支報告書",
    "議員名簿",
    "傍聴者名簿",
    "一般質問通告書",
    "議案",
    "議会だより原稿",
    "議員派遣報告書",
    "情報公開請求書",
    "委員会記録",
    "議長交際費支出簿",
    "議事録音データ",
];
const DOCUMENTS: [&str; 7] = [
    "ネットワーク構成図",
    "システム運用手順書",
    "保守契約書",
    "会議録検索システム設計書",
    "障害対応記録",
    "アカウント管理台帳",
    "バックアップ手順書",
];
/// Half-width kana forms of some names, as old registers pasted from other systems have.
const HALF_WIDTH: [&str; 5] = [
    "ﾀﾌﾞﾚｯﾄ端末",
    "ﾌｧｲﾙｻｰﾊﾞ",
    "ﾈｯﾄﾜｰｸ構成図",
    "ｼｽﾃﾑ運用手順書",
    "ﾊﾞｯｸｱｯﾌﾟ手順書",
];
const BODIES: [&str; 9] = [
    "本会議",
    "総務委員会",
    "文教厚生委員会",
    "建設経済委員会",
    "予算特別委員会",
    "決算特別委員会",
    "議会運営委員会",
    "広報広聴委員会",
    "全員協議会",
];
const SESSIONS: [&str; 5] = [
    "定例会",
    "第1回定例会",
    "第2回定例会",
    "第3回定例会",
    "臨時会",
];
const LOCATIONS: [&str; 10] = [
    "議会事務局書庫",
    "議会事務局執務室",
    "議員控室",
    "議長室",
    "第1委員会室",
    "サーバ室",
    "議場",
    "図書室",
    "ファイルサーバ（共有フォルダ）",
    "外部倉庫",
];
const FRAGMENTS: [&str; 16] = [
    "議会事務局議事調査係が作成し保管している。",
    "個人情報を含むため取扱いに注意する。",
    "議員への配付用。",
    "会議録検索システムへの登録前の原稿。",
    "LGWAN接続系の端末からのみ閲覧できる。",
    "議長の決裁を経て公開予定。",
    "紙の原本とPDFを併せて保管する。",
    "委員長の確認を受けたもの。",
    "ﾊﾞｯｸｱｯﾌﾟを毎週取得している。",
    "請願者の住所・氏名を含む。",
    "傍聴受付で記入されたもの。",
    "保守業者が年2回点検する。",
    "議事日程の作成に用いる。",
    "情報公開の対象となる。",
    "閲覧は議会事務局職員に限る。",
    "次の改選時に内容を見直す。",
];
const NOTES: [&str; 10] = [
    "原本は書庫に保管",
    "電子データはファイルサーバに保存",
    "ﾊﾞｯｸｱｯﾌﾟは週1回取得",
    "次回改選時に見直し",
    "保守業者：株式会社みらいシステム",
    "貸出時は台帳に記入",
    "令和7年度に更新予定",
    "持ち出し禁止",
    "施錠できる書棚に保管",
    "パスワード設定済み",
];
const TAGS: [&str; 12] = [
    "会議録",
    "本会議",
    "委員会",
    "請願",
    "政務活動費",
    "議員",
    "端末",
    "システム",
    "ネットワーク",
    "傍聴",
    "個人情報",
    "公開",
];
/// Confidentiality as written in registers; ~2% at the top level (3A, restricted).
const CONFIDENTIALITY: [(usize, &str); 5] = [
    (2, "3A"),
    (8, "機密性3B"),
    (10, "3C"),
    (40, "機密性2"),
    (40, "1"),
];
const RETENTION: [(usize, &str); 8] = [
    (15, "永年"),
    (20, "5年"),
    (15, "10年"),
    (5, "30年"),
    (15, "任期中"),
    (10, "1年未満"),
    (5, "契約終了まで"),
    (15, ""),
];
const STATUS: [(usize, &str); 3] = [(82, "使用中"), (15, "保存"), (3, "廃棄")];
const SEGMENTS: [(usize, &str); 4] = [
    (45, "LGWAN接続系"),
    (20, "インターネット接続系"),
    (5, "基幹系"),
    (30, "なし"),
];

/// The spreadsheet columns an import file has, in order, with the field each fills.
pub const IMPORT_HEADERS: [&str; 15] = [
    "資産名",
    "説明",
    "分類",
    "形態",
    "保有者区分",
    "保有者",
    "保管場所",
    "ネットワーク",
    "機密性",
    "完全性",
    "可用性",
    "保存期間",
    "状態",
    "タグ",
    "備考",
];

/// Generates assets. `requester` (a staff login) holds some of them, restricted ones
/// included, so the plain user's view differs from the overseer's as in real use.
pub struct AssetGen {
    rng: Rng,
    holders: Vec<BenchUser>,
    requester: String,
}

impl AssetGen {
    pub fn new(seed: u64, requester: &str) -> AssetGen {
        AssetGen {
            rng: Rng::new(seed),
            holders: holders(),
            requester: requester.to_owned(),
        }
    }

    fn year(&mut self) -> String {
        format!("令和{}年", 3 + self.rng.below(6))
    }

    fn description(&mut self, name: &str) -> String {
        let mut text = match self.rng.below(3) {
            0 => format!("{}の{}。", self.year(), name),
            1 => format!(
                "{}{}に係る{}。",
                self.year(),
                self.rng.pick(&SESSIONS),
                name
            ),
            _ => String::new(),
        };
        let extra = 1 + self.rng.below(3);
        for _ in 0..extra {
            let fragment = *self.rng.pick(&FRAGMENTS);
            if text.chars().count() + fragment.chars().count() > 80 {
                break;
            }
            text.push_str(fragment);
        }
        while text.chars().count() < 20 {
            text.push_str("詳細は議会事務局に確認する。");
        }
        text.chars().take(80).collect()
    }

    /// The next asset, as a form or a spreadsheet row would give it.
    pub fn next_input(&mut self) -> AssetInput {
        let category = *self.rng.weighted(&CATEGORIES);
        let base = match category {
            "ア" if self.rng.chance(4) => *self.rng.pick(&HALF_WIDTH[..2]),
            "ウ" if self.rng.chance(6) => *self.rng.pick(&HALF_WIDTH[2..]),
            "ア" => *self.rng.pick(&INFRA),
            "ウ" => *self.rng.pick(&DOCUMENTS),
            _ => *self.rng.pick(&INFORMATION),
        };
        let number = 1 + self.rng.below(250);
        let name = match category {
            "イ" => {
                let body = if base.starts_with("本会議") || base.starts_with("議員") {
                    ""
                } else {
                    *self.rng.pick(&BODIES)
                };
                format!("{}{}{}（第{}号）", self.year(), body, base, number)
            }
            "ア" => format!("{} {}号機", base, number),
            _ => format!("{}（{}版）", base, self.year()),
        };
        let member = category == "イ" && self.rng.chance(25);
        let holder = if member {
            let members: Vec<&BenchUser> = self.holders.iter().filter(|u| u.member).collect();
            let user = *self.rng.pick(&members);
            // Registers name the holder mostly by name, sometimes by login id.
            if self.rng.chance(80) {
                user.display_name.clone()
            } else {
                user.login.clone()
            }
        } else if self.rng.chance(10) {
            self.requester.clone()
        } else if self.rng.chance(60) {
            let staff: Vec<&BenchUser> = self.holders.iter().filter(|u| !u.member).collect();
            self.rng.pick(&staff).display_name.clone()
        } else {
            String::new()
        };
        let form = match category {
            "ア" => "電子",
            _ => *self.rng.weighted(&[(50, "電子"), (30, "紙"), (20, "両方")]),
        };
        let mut tags: Vec<&str> = Vec::new();
        for _ in 0..self.rng.below(4) {
            let tag = *self.rng.pick(&TAGS);
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        AssetInput {
            description: self.description(&name),
            name,
            category: category.to_owned(),
            form: form.to_owned(),
            holder_type: if member { "議員" } else { "議会事務局" }.to_owned(),
            holder,
            location: self.rng.pick(&LOCATIONS).to_string(),
            segment: self.rng.weighted(&SEGMENTS).to_string(),
            confidentiality: self.rng.weighted(&CONFIDENTIALITY).to_string(),
            integrity: self.rng.pick(&["1", "2"]).to_string(),
            availability: self.rng.pick(&["1", "2"]).to_string(),
            retention: self.rng.weighted(&RETENTION).to_string(),
            status: self.rng.weighted(&STATUS).to_string(),
            tags: tags.join("、"),
            notes: if self.rng.chance(40) {
                String::new()
            } else {
                self.rng.pick(&NOTES).to_string()
            },
            clauses: if self.rng.chance(20) {
                "6(2)".to_owned()
            } else {
                String::new()
            },
            ..AssetInput::default()
        }
    }

    /// The next asset as a spreadsheet row in [`IMPORT_HEADERS`] order.
    pub fn next_row(&mut self) -> Vec<String> {
        let a = self.next_input();
        vec![
            a.name,
            a.description,
            a.category,
            a.form,
            a.holder_type,
            a.holder,
            a.location,
            a.segment,
            a.confidentiality,
            a.integrity,
            a.availability,
            a.retention,
            a.status,
            a.tags,
            a.notes,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let mut a = AssetGen::new(7, "bench.user");
        let mut b = AssetGen::new(7, "bench.user");
        for _ in 0..100 {
            assert_eq!(a.next_row(), b.next_row());
        }
    }

    #[test]
    fn descriptions_are_20_to_80_characters() {
        let mut g = AssetGen::new(1, "bench.user");
        for _ in 0..2000 {
            let n = g.next_input().description.chars().count();
            assert!((20..=80).contains(&n), "{n}");
        }
    }

    #[test]
    fn display_names_are_unique() {
        let users = holders();
        let mut names: Vec<&str> = users.iter().map(|u| u.display_name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), users.len());
    }
}
