//! The item bank: generated items that were served and items instructors wrote or edited. The item
//! itself is stored as JSON; the columns beside it are what lists filter on.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::DbError;
use crate::domain::accounts::UserId;
use crate::domain::items::{Item, ItemId};

/// An item with its bank record.
#[derive(Debug, Clone)]
pub struct StoredItem {
    pub item: Item,
    pub origin: String,
    pub status: String,
    pub author_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

fn stored_from_row(
    row: &Row<'_>,
) -> rusqlite::Result<(String, String, String, Option<i64>, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn to_stored(
    raw: (String, String, String, Option<i64>, String, String),
) -> Result<StoredItem, DbError> {
    let (body, origin, status, author_id, created_at, updated_at) = raw;
    let item: Item = serde_json::from_str(&body)
        .map_err(|error| DbError::Task(format!("stored item is not valid JSON: {error}")))?;
    Ok(StoredItem {
        item,
        origin,
        status,
        author_id,
        created_at,
        updated_at,
    })
}

fn body_of(item: &Item) -> Result<String, DbError> {
    serde_json::to_string(item)
        .map_err(|error| DbError::Task(format!("cannot serialise item: {error}")))
}

/// Stores generated items that are not in the bank yet.
pub fn insert_generated(
    conn: &Connection,
    items: &[(Item, String)],
    now: &str,
) -> Result<usize, DbError> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO items (id, item_type, client_need, ncjmm_function, topic, difficulty, item_model, origin, signature, body, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'generated', ?8, ?9, ?10, ?10)
         ON CONFLICT (id) DO NOTHING",
    )?;
    let mut inserted = 0;
    for (item, signature) in items {
        inserted += statement.execute(params![
            item.id,
            item.item_type.as_str(),
            item.client_need.as_str(),
            item.ncjmm_function.as_str(),
            item.topic,
            difficulty_name(item),
            item.item_model,
            signature,
            body_of(item)?,
            now
        ])?;
    }
    Ok(inserted)
}

/// Stores an item an instructor wrote.
pub fn insert_authored(
    conn: &Connection,
    item: &Item,
    signature: &str,
    author_id: UserId,
    now: &str,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO items (id, item_type, client_need, ncjmm_function, topic, difficulty, item_model, origin, signature, body, author_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, 'authored', ?7, ?8, ?9, ?10, ?10)",
        params![
            item.id,
            item.item_type.as_str(),
            item.client_need.as_str(),
            item.ncjmm_function.as_str(),
            item.topic,
            difficulty_name(item),
            signature,
            body_of(item)?,
            author_id,
            now
        ],
    )
    .map_err(|error| super::on_unique(error, || format!("an item with id {} already exists", item.id)))?;
    Ok(())
}

/// Replaces an item's content (an edit makes it instructor-authored).
pub fn update_item(
    conn: &Connection,
    item: &Item,
    signature: &str,
    author_id: UserId,
    now: &str,
) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE items SET item_type = ?2, client_need = ?3, ncjmm_function = ?4, topic = ?5, difficulty = ?6, origin = 'authored',
             signature = ?7, body = ?8, author_id = ?9, updated_at = ?10 WHERE id = ?1",
        params![
            item.id,
            item.item_type.as_str(),
            item.client_need.as_str(),
            item.ncjmm_function.as_str(),
            item.topic,
            difficulty_name(item),
            signature,
            body_of(item)?,
            author_id,
            now
        ],
    )? == 1)
}

pub fn set_status(
    conn: &Connection,
    id: &ItemId,
    status: &str,
    now: &str,
) -> Result<bool, DbError> {
    Ok(conn.execute(
        "UPDATE items SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, status, now],
    )? == 1)
}

pub fn find_item(conn: &Connection, id: &ItemId) -> Result<Option<StoredItem>, DbError> {
    let raw = conn
        .prepare_cached("SELECT body, origin, status, author_id, created_at, updated_at FROM items WHERE id = ?1")?
        .query_row([id], stored_from_row)
        .optional()?;
    raw.map(to_stored).transpose()
}

/// Filters for listing the bank; `None` = any.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub topic: Option<String>,
    pub item_type: Option<String>,
    pub client_need: Option<String>,
    pub ncjmm_function: Option<String>,
    pub difficulty: Option<String>,
    pub status: Option<String>,
    pub origin: Option<String>,
    /// Text the stem or the topic contains (case-insensitive for ASCII letters).
    pub search: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

const FILTER: &str = "(?1 IS NULL OR topic = ?1) AND (?2 IS NULL OR item_type = ?2) AND (?3 IS NULL OR client_need = ?3)
     AND (?4 IS NULL OR ncjmm_function = ?4) AND (?5 IS NULL OR difficulty = ?5) AND (?6 IS NULL OR status = ?6)
     AND (?7 IS NULL OR origin = ?7)
     AND (?8 IS NULL OR instr(lower(topic), lower(?8)) > 0 OR instr(lower(json_extract(body, '$.question')), lower(?8)) > 0)";

/// One page of items, newest first, and the total that match.
pub fn list_items(conn: &Connection, query: &ItemQuery) -> Result<(Vec<StoredItem>, i64), DbError> {
    let filters = params![
        query.topic,
        query.item_type,
        query.client_need,
        query.ncjmm_function,
        query.difficulty,
        query.status,
        query.origin,
        query.search
    ];
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM items WHERE {FILTER}"),
        filters,
        |row| row.get(0),
    )?;
    let sql = format!(
        "SELECT body, origin, status, author_id, created_at, updated_at FROM items WHERE {FILTER}
         ORDER BY created_at DESC, id LIMIT ?9 OFFSET ?10"
    );
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(
        params![
            query.topic,
            query.item_type,
            query.client_need,
            query.ncjmm_function,
            query.difficulty,
            query.status,
            query.origin,
            query.search,
            query.limit,
            query.offset
        ],
        stored_from_row,
    )?;
    let mut items = Vec::new();
    for row in rows {
        items.push(to_stored(row?)?);
    }
    Ok((items, total))
}

fn difficulty_name(item: &Item) -> &'static str {
    match item.difficulty {
        crate::domain::items::Difficulty::Beginner => "beginner",
        crate::domain::items::Difficulty::Intermediate => "intermediate",
        crate::domain::items::Difficulty::Advanced => "advanced",
    }
}
