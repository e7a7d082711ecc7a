//! The words mamori uses, in both languages, each with a one-line definition: the one
//! place the glossary page and its API read. Definitions follow the basic policy's own
//! (clause 2 and the clauses named) and the national guideline, in plain words.

/// One term of the glossary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// A stable identifier for clients of the API.
    pub code: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub definition_ja: &'static str,
    pub definition_en: &'static str,
    /// The clause of the basic policy that defines or uses the term, in the seed's
    /// numbering (2(3), 4(2)); none for words of mamori's own work.
    pub clause: Option<&'static str>,
}

/// The glossary, in the order a new user meets the words.
pub const TERMS: &[Term] = &[
    Term {
        code: "information_asset",
        ja: "情報資産",
        en: "Information asset",
        definition_ja: "議会事務局職員がネットワークや情報システムで扱うすべてのデータと、議員が職務上作成し、または取得して保有する文書（図画や電子的な記録を含む）。市販の刊行物は含みません。",
        definition_en: "All data the secretariat staff handle on networks and information systems, and every document (drawings and electronic records included) members make or obtain in their duties and keep. Publications sold to the public are not included.",
        clause: Some("2(3)"),
    },
    Term {
        code: "asset_type",
        ja: "資産の種別",
        en: "Asset type",
        definition_ja: "情報資産がどんな物かを表すア・イ・ウの区別。ア：ネットワーク・情報システム・設備・記録媒体、イ：情報（印刷物を含む）、ウ：システム関連文書。",
        definition_en: "What kind of thing an information asset is, in the three types of the policy: A networks, systems, facilities and media; B information (printouts included); C system documents.",
        clause: Some("4(2)"),
    },
    Term {
        code: "classification",
        ja: "分類",
        en: "Classification",
        definition_ja: "情報資産を機密性・完全性・可用性の3つの観点で区分したもの（例：機密性3A・完全性2・可用性1）。分類に応じて取扱制限が決まります。",
        definition_en: "How an information asset is graded on confidentiality, integrity and availability (for example confidentiality 3A, integrity 2, availability 1). The grade decides its handling rules.",
        clause: Some("6(2)"),
    },
    Term {
        code: "confidentiality",
        ja: "機密性",
        en: "Confidentiality",
        definition_ja: "情報を見てよいと認められた人だけが、その情報を見られる状態にあること。",
        definition_en: "Only the people allowed to see a piece of information can see it.",
        clause: Some("2(5)"),
    },
    Term {
        code: "integrity",
        ja: "完全性",
        en: "Integrity",
        definition_ja: "情報が壊されたり、書き換えられたり、消されたりしていない状態にあること。",
        definition_en: "The information has not been destroyed, altered or erased.",
        clause: Some("2(6)"),
    },
    Term {
        code: "availability",
        ja: "可用性",
        en: "Availability",
        definition_ja: "認められた人が、必要なときに途切れることなく情報を使える状態にあること。",
        definition_en: "The people allowed to use the information can use it when they need it, without interruption.",
        clause: Some("2(7)"),
    },
    Term {
        code: "handling_rule",
        ja: "取扱制限",
        en: "Handling rule",
        definition_ja: "分類ごとに定める、作成・入手から利用・保管・送信・運搬・提供・廃棄までの各段階で守る取扱いの決まり。",
        definition_en: "What must be done with an asset of a given classification at each stage of its life: making or obtaining, use, storage, sending, carrying, providing and disposal.",
        clause: Some("6(2)"),
    },
    Term {
        code: "user",
        ja: "利用者",
        en: "User",
        definition_ja: "情報資産を利用する議員と議会事務局職員。基本方針はこの人たちに適用されます。",
        definition_en: "The members and secretariat staff who use information assets: the people the basic policy applies to.",
        clause: Some("4(1)"),
    },
    Term {
        code: "contractor",
        ja: "委託事業者",
        en: "Contractor",
        definition_ja: "業務委託の契約などに基づき、情報資産の取扱いを含む業務に従事する事業者（再委託先を含む）。",
        definition_en: "A business that, under a contract, does work involving information assets (subcontractors included).",
        clause: Some("2(8)"),
    },
    Term {
        code: "permission",
        ja: "権限",
        en: "Permission",
        definition_ja: "mamori の中で一人ひとりができることの範囲（システム管理・記録の管理・一般・監査（閲覧のみ）・委託業務のみ）。役職とは別に決めます。",
        definition_en: "What a person may do in mamori (system administration, register management, standard, audit (read only), contracted work only). Set apart from their posts.",
        clause: None,
    },
    Term {
        code: "post",
        ja: "役職",
        en: "Post",
        definition_ja: "情報セキュリティポリシーで定める体制上の役目（最高情報セキュリティ責任者、情報セキュリティ管理者など）。だれに決裁を求めるかは役職で決まります。",
        definition_en: "A position in the security organisation the policy sets up (chief information security officer, security manager and so on). Posts decide whom an approval is asked of.",
        clause: Some("6(1)"),
    },
    Term {
        code: "acknowledgement",
        ja: "確認（誓約）",
        en: "Acknowledgement",
        definition_ja: "公開された情報セキュリティポリシーを読み、守ることを利用者が一人ずつ記録すること。",
        definition_en: "Each user's record that they have read the published security policy and will comply with it.",
        clause: Some("5"),
    },
    Term {
        code: "approval",
        ja: "決裁",
        en: "Approval",
        definition_ja: "起案された文書や申請を、決める役職の人が読んで承認すること。",
        definition_en: "The holder of a deciding post reads a draft or a request and approves it.",
        clause: None,
    },
    Term {
        code: "send_back",
        ja: "差戻し",
        en: "Send back",
        definition_ja: "決裁する人が理由を付けて起案者に返し、直しを求めること。",
        definition_en: "The person asked to decide returns a draft or request to its author, with the reason, to be corrected.",
        clause: None,
    },
    Term {
        code: "take_out",
        ja: "持ち出し",
        en: "Take-out",
        definition_ja: "情報資産を決められた保管場所の外へ持って出ること。分類によっては事前の承認が必要です。",
        definition_en: "Carrying an information asset outside the place it is kept. Some classifications need approval beforehand.",
        clause: Some("6(4)"),
    },
    Term {
        code: "threat",
        ja: "脅威",
        en: "Threat",
        definition_ja: "情報資産の漏えい・破壊・改ざん・消去や業務の停止を引き起こすおそれのある出来事や原因。",
        definition_en: "An event or cause that could leak, destroy, alter or erase information assets or stop the work.",
        clause: Some("3"),
    },
    Term {
        code: "risk",
        ja: "リスク",
        en: "Risk",
        definition_ja: "脅威が情報資産に起きる可能性と、起きたときの影響の大きさの組合せ。",
        definition_en: "How likely a threat is to befall an information asset, together with how much harm it would do.",
        clause: None,
    },
    Term {
        code: "risk_acceptance",
        ja: "リスク受容",
        en: "Risk acceptance",
        definition_ja: "対策をとっても残るリスクを、最高情報セキュリティ責任者（CISO）が承知のうえで受け入れると決めること。期限を付けます。",
        definition_en: "The chief information security officer (CISO) knowingly decides to live with a risk that remains after the measures, for a set period.",
        clause: None,
    },
    Term {
        code: "exception",
        ja: "例外措置",
        en: "Exception",
        definition_ja: "ポリシーどおりにできない事情があるとき、代わりの措置と期限を定めて認める例外。",
        definition_en: "A permitted departure from the policy when it cannot be followed, with a substitute measure and an end date.",
        clause: None,
    },
    Term {
        code: "corrective_action",
        ja: "改善措置",
        en: "Corrective action",
        definition_ja: "監査や自己点検、事故で見つかった問題を直すために、担当者と期限を決めて行う措置。",
        definition_en: "Work, with a person responsible and a due date, that puts right a problem found by an audit, a self-inspection or an incident.",
        clause: Some("7"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn has_japanese(text: &str) -> bool {
        text.chars().any(|c| {
            matches!(c, '\u{3000}'..='\u{30ff}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
        })
    }

    #[test]
    fn every_term_has_a_unique_code_and_both_languages() {
        let mut codes: Vec<&str> = TERMS.iter().map(|t| t.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TERMS.len(), "codes are unique");
        for term in TERMS {
            assert!(
                has_japanese(term.ja) && has_japanese(term.definition_ja),
                "{term:?}"
            );
            assert!(term.definition_ja.ends_with('。'), "{}", term.code);
            assert!(
                !term.en.is_empty() && term.definition_en.ends_with('.'),
                "{}",
                term.code
            );
        }
    }

    #[test]
    fn english_texts_hold_no_japanese() {
        for term in TERMS {
            assert!(!has_japanese(term.en), "{}", term.code);
            assert!(!has_japanese(term.definition_en), "{}", term.code);
        }
    }

    #[test]
    fn the_colliding_words_are_told_apart() {
        let ja = |code: &str| TERMS.iter().find(|t| t.code == code).unwrap().ja;
        assert_ne!(ja("asset_type"), ja("classification"));
        assert_ne!(ja("permission"), ja("post"));
        assert_ne!(ja("permission"), ja("user"));
    }
}
