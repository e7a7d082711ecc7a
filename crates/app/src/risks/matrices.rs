//! The risk matrix: the active version, earlier versions a risk was scored with, and a
//! new version saved by the security officer.

use std::collections::HashMap;

use mamori_domain::access::{Act, Register};
use mamori_domain::field::FieldProblem;
use mamori_domain::risk::{Matrix, Score};
use mamori_domain::wareki::Lang;
use mamori_store::StoreError;
use mamori_store::risks::{self as store, StoredMatrix};

use crate::i18n::Tr;
use crate::{Acting, App, Failure, Outcome};

/// The matrices a set of risks was scored with, to name their levels and steps.
pub struct Matrices {
    pub active: StoredMatrix,
    by_id: HashMap<i64, StoredMatrix>,
}

impl Matrices {
    /// Loads the active matrix and those of `ids` (the caller has been permitted to
    /// read the register).
    pub(crate) async fn load(app: &App, ids: impl Iterator<Item = i64>) -> Outcome<Matrices> {
        let active = store::active_matrix(app.store()).await?;
        let mut by_id = HashMap::new();
        by_id.insert(active.id, active.clone());
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = by_id.entry(id) {
                match store::matrix(app.store(), id).await {
                    Ok(m) => {
                        e.insert(m);
                    }
                    Err(StoreError::NotFound) => {}
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(Matrices { active, by_id })
    }

    /// The matrices as a reader in `lang` sees them (default names in English).
    pub fn for_reader(self, lang: Lang) -> Matrices {
        Matrices {
            active: for_reader(self.active, lang),
            by_id: self
                .by_id
                .into_iter()
                .map(|(id, m)| (id, for_reader(m, lang)))
                .collect(),
        }
    }

    pub fn of(&self, id: i64) -> &StoredMatrix {
        self.by_id.get(&id).unwrap_or(&self.active)
    }

    pub fn level_name(&self, matrix_id: i64, index: usize) -> String {
        self.of(matrix_id)
            .matrix
            .levels
            .get(index)
            .map(|l| l.name.clone())
            .unwrap_or_else(|| format!("#{index}"))
    }

    fn step(names: &[String], position: usize) -> String {
        names
            .get(position)
            .cloned()
            .unwrap_or_else(|| format!("#{position}"))
    }

    pub fn likelihood_name(&self, matrix_id: i64, position: usize) -> String {
        Matrices::step(&self.of(matrix_id).matrix.likelihood, position)
    }

    pub fn impact_name(&self, matrix_id: i64, position: usize) -> String {
        Matrices::step(&self.of(matrix_id).matrix.impact, position)
    }

    /// 「高（発生可能性 高 × 影響度 大）」
    pub fn describe(&self, tr: &Tr, matrix_id: i64, score: Score, level: usize) -> String {
        tr.f(
            "risk.level_detail",
            &[
                ("level", self.level_name(matrix_id, level)),
                (
                    "likelihood",
                    self.likelihood_name(matrix_id, score.likelihood),
                ),
                ("impact", self.impact_name(matrix_id, score.impact)),
            ],
        )
    }
}

/// `stored` as a reader in `lang` sees it: the default names of steps and levels in
/// English on English pages (`risk_en`); the API and the stored data keep them as stored.
pub fn for_reader(stored: StoredMatrix, lang: Lang) -> StoredMatrix {
    StoredMatrix {
        matrix: mamori_domain::risk_en::for_reader(stored.matrix, lang),
        ..stored
    }
}

/// The matrices of `ids` and the active one, for those who read the register.
pub async fn matrices(
    app: &App,
    acting: &Acting,
    ids: impl Iterator<Item = i64>,
) -> Outcome<Matrices> {
    app.permit(acting, Register::Risks, Act::Read, "risk_matrix.view")
        .await?;
    Matrices::load(app, ids).await
}

/// The active matrix.
pub async fn active_matrix(app: &App, acting: &Acting, what: &str) -> Outcome<StoredMatrix> {
    app.permit(acting, Register::Risks, Act::Read, what).await?;
    Ok(store::active_matrix(app.store()).await?)
}

/// What saving a matrix did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixSaved {
    /// A new version, now active: (id, version).
    Version { id: i64, version: i64 },
    /// The same as the active one: nothing written.
    Unchanged,
}

/// Makes `matrix` the active one as a new version. Risks scored with an earlier
/// version keep it until reassessed.
pub async fn save_matrix(app: &App, acting: &Acting, matrix: Matrix) -> Outcome<MatrixSaved> {
    let permit = app
        .permit(acting, Register::Risks, Act::Edit, "risk_matrix.edit")
        .await?;
    if let Err(problem) = matrix.check() {
        return Err(Failure::invalid(FieldProblem::new(
            "matrix",
            problem.message_key(),
        )));
    }
    let active = store::active_matrix(app.store()).await?;
    if active.matrix == matrix {
        return Ok(MatrixSaved::Unchanged);
    }
    let mut tx = permit.write(app).await?;
    let id = store::save_matrix(&mut tx, &matrix).await?;
    tx.commit().await?;
    let saved = store::matrix(app.store(), id).await?;
    Ok(MatrixSaved::Version {
        id,
        version: saved.version,
    })
}

/// Every stored version, oldest first, and the active one. Versions are never deleted
/// and each save makes the newest one active, so they are the ids up to the active one.
pub async fn versions(app: &App, acting: &Acting) -> Outcome<(StoredMatrix, Vec<StoredMatrix>)> {
    app.permit(acting, Register::Risks, Act::Read, "risk_matrix.view")
        .await?;
    let active = store::active_matrix(app.store()).await?;
    let mut all = Vec::new();
    for id in 1..active.id {
        match store::matrix(app.store(), id).await {
            Ok(m) => all.push(m),
            // A sequence gap (PostgreSQL after a rolled-back save).
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    all.push(active.clone());
    Ok((active, all))
}
