//! Inserts from a list of columns and values: one row returning its id, and
//! bulk inserts for seeding and loading open data — multi-row statements of
//! about 800 bound values (SQLite binds parameters quadratically), with ids
//! allocated in the transaction so child rows can name their parents
//! without a round trip per row.

use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Backend, Result};

/// Bound values per statement.
const VALUES_PER_STATEMENT: usize = 800;

/// Insert `rows` (one value a column) into `table`, in statements of about
/// [`VALUES_PER_STATEMENT`] values; the number of rows inserted.
pub(crate) async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Arg>>,
) -> Result<u64> {
    let per = (VALUES_PER_STATEMENT / columns.len()).max(1);
    let mut n = 0;
    for chunk in rows.chunks(per) {
        let mut sql = Sql::new(&format!(
            "INSERT INTO {table} ({}) VALUES ",
            columns.join(", ")
        ));
        for (r, row) in chunk.iter().enumerate() {
            sql.push(if r == 0 { "(" } else { ", (" });
            for (i, a) in row.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(a.clone());
            }
            sql.push(")");
        }
        n += sql.query().execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

/// `INSERT INTO table (columns) VALUES (…)`, a value a column, all bound.
fn insert_sql(table: &str, columns: &[&str], values: Vec<Arg>) -> Sql {
    let mut sql = Sql::new(&format!(
        "INSERT INTO {table} ({}) VALUES (",
        columns.join(", ")
    ));
    sql.bind_list(values).push(")");
    sql
}

/// Insert one row and return its id.
pub(crate) async fn insert_returning_id(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    values: Vec<Arg>,
) -> Result<i64> {
    let mut sql = insert_sql(table, columns, values);
    sql.push(" RETURNING id");
    get(&sql.query().fetch_one(&mut **tx).await?, "id")
}

/// Insert one row (of a table without an id of its own).
pub(crate) async fn insert_row(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    values: Vec<Arg>,
) -> Result<()> {
    insert_sql(table, columns, values)
        .query()
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The next free id of `table`, for rows inserted with explicit ids.
pub(crate) async fn next_id(tx: &mut Tx, table: &str) -> Result<i64> {
    let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"))
        .fetch_one(&mut **tx)
        .await?;
    Ok(get::<i64>(&row, "m")? + 1)
}

/// After rows were inserted with explicit ids: on PostgreSQL, move each
/// table's identity sequence past them (explicit ids do not move it).
pub(crate) async fn sync_id_sequences(
    tx: &mut Tx,
    backend: Backend,
    tables: &[&str],
) -> Result<()> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    for table in tables {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             (SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
