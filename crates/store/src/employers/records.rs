//! An employer's workplaces, contacts and interaction log: each listed
//! under the employer's `Read` and added under its `Manage`, the new row's
//! event naming it.

use super::{bad, child_rows, detail, EmployerContact, Interaction, Workplace};
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::bulk::insert_returning_id;
use crate::kernel::{commit, date_at, date_text, the_one};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use vagar_domain::access::EmployerAction;
use vagar_domain::employers::{
    accessibility_text, parse_accessibility, ContactData, ContactInput, InteractionData,
    InteractionInput, InteractionKind, WorkplaceData, WorkplaceInput,
};

pub(super) async fn load_workplaces(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<Workplace>> {
    let columns = "id, employer_id, name, street_address, postal_code, city, municipality_code, \
         district, accessibility, accessibility_note, created_at";
    let rows = child_rows(tx, columns, "employer_workplaces", employer_id, only, "id").await?;
    rows.iter()
        .map(|r| {
            Ok(Workplace {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                name: get(r, "name")?,
                street_address: get(r, "street_address")?,
                postal_code: get(r, "postal_code")?,
                city: get(r, "city")?,
                municipality_code: get(r, "municipality_code")?,
                district: get(r, "district")?,
                accessibility: parse_accessibility(&get::<String>(r, "accessibility")?),
                accessibility_note: get(r, "accessibility_note")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

pub(super) async fn load_contacts(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<EmployerContact>> {
    let columns = "id, employer_id, name, title, email, phone, created_at";
    let rows = child_rows(tx, columns, "employer_contacts", employer_id, only, "id").await?;
    rows.iter()
        .map(|r| {
            Ok(EmployerContact {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                name: get(r, "name")?,
                title: get(r, "title")?,
                email: get(r, "email")?,
                phone: get(r, "phone")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

pub(super) async fn load_interactions(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<Interaction>> {
    let columns = "id, employer_id, occurred_on, kind, note, created_by, created_at";
    // Newest first: the log is read from the latest contact backwards.
    let order = "occurred_on DESC, id DESC";
    let rows = child_rows(
        tx,
        columns,
        "employer_interactions",
        employer_id,
        only,
        order,
    )
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            Ok(Interaction {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                occurred_on: date_at(r, "occurred_on")?,
                kind: InteractionKind::parse(&kind).ok_or_else(|| bad("interaction kind"))?,
                note: get(r, "note")?,
                created_by: get(r, "created_by")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

pub(super) async fn insert_workplace(
    tx: &mut Tx,
    employer_id: i64,
    d: &WorkplaceData,
    at: i64,
) -> Result<i64> {
    insert_returning_id(
        tx,
        "employer_workplaces",
        &[
            "employer_id",
            "name",
            "street_address",
            "postal_code",
            "city",
            "municipality_code",
            "district",
            "accessibility",
            "accessibility_note",
            "created_at",
        ],
        vec![
            employer_id.into(),
            d.name.as_str().into(),
            d.street_address.as_deref().into(),
            d.postal_code.as_deref().into(),
            d.city.as_deref().into(),
            d.municipality_code.as_str().into(),
            d.district.as_deref().into(),
            accessibility_text(&d.accessibility).into(),
            d.accessibility_note.as_deref().into(),
            at.into(),
        ],
    )
    .await
}

pub(super) async fn insert_contact(
    tx: &mut Tx,
    employer_id: i64,
    d: &ContactData,
    at: i64,
) -> Result<i64> {
    insert_returning_id(
        tx,
        "employer_contacts",
        &[
            "employer_id",
            "name",
            "title",
            "email",
            "phone",
            "created_at",
        ],
        vec![
            employer_id.into(),
            d.name.as_str().into(),
            d.title.as_deref().into(),
            d.email.as_deref().into(),
            d.phone.as_deref().into(),
            at.into(),
        ],
    )
    .await
}

pub(super) async fn insert_interaction(
    tx: &mut Tx,
    employer_id: i64,
    d: &InteractionData,
    by: Option<i64>,
    at: i64,
) -> Result<i64> {
    insert_returning_id(
        tx,
        "employer_interactions",
        &[
            "employer_id",
            "occurred_on",
            "kind",
            "note",
            "created_by",
            "created_at",
        ],
        vec![
            employer_id.into(),
            date_text(d.occurred_on).into(),
            d.kind.as_str().into(),
            d.note.as_str().into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

impl Store {
    pub async fn list_employer_workplaces(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<Workplace>> {
        let event = "employer.workplace.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let w = load_workplaces(&mut tx, employer_id, None).await?;
        commit(tx, w).await
    }

    pub async fn add_employer_workplace(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &WorkplaceInput,
    ) -> Result<Workplace> {
        let event = "employer.workplace.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let d = WorkplaceData::from_input(input).map_err(StoreError::Validation)?;
        let id = insert_workplace(&mut tx, employer_id, &d, micros(ctx.now)).await?;
        let detail = detail(employer_id, "workplace", id);
        permit
            .record(&mut tx, ctx, "employer.workplace.created", &detail, &[])
            .await?;
        let w = the_one(load_workplaces(&mut tx, employer_id, Some(id)).await?)?;
        commit(tx, w).await
    }

    pub async fn list_employer_contacts(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<EmployerContact>> {
        let event = "employer.contact.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let c = load_contacts(&mut tx, employer_id, None).await?;
        commit(tx, c).await
    }

    pub async fn add_employer_contact(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ContactInput,
    ) -> Result<EmployerContact> {
        let event = "employer.contact.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let d = ContactData::from_input(input).map_err(StoreError::Validation)?;
        let id = insert_contact(&mut tx, employer_id, &d, micros(ctx.now)).await?;
        let detail = detail(employer_id, "contact", id);
        permit
            .record(&mut tx, ctx, "employer.contact.created", &detail, &[])
            .await?;
        let c = the_one(load_contacts(&mut tx, employer_id, Some(id)).await?)?;
        commit(tx, c).await
    }

    pub async fn list_employer_interactions(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<Interaction>> {
        let event = "employer.interaction.list";
        let (mut tx, _) = self
            .on_employer(ctx, EmployerAction::Read, employer_id, event)
            .await?;
        let i = load_interactions(&mut tx, employer_id, None).await?;
        commit(tx, i).await
    }

    /// Append to the interaction log (there is no change or removal).
    pub async fn add_employer_interaction(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &InteractionInput,
    ) -> Result<Interaction> {
        let event = "employer.interaction.create";
        let (mut tx, permit) = self
            .on_employer(ctx, EmployerAction::Manage, employer_id, event)
            .await?;
        let d = InteractionData::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        let by = Some(ctx.actor.user_id);
        let id = insert_interaction(&mut tx, employer_id, &d, by, micros(ctx.now)).await?;
        let detail = detail(employer_id, "interaction", id);
        permit
            .record(&mut tx, ctx, "employer.interaction.created", &detail, &[])
            .await?;
        let i = the_one(load_interactions(&mut tx, employer_id, Some(id)).await?)?;
        commit(tx, i).await
    }
}
