//! The notes, kept in one JSON file under the data directory.
//!
//! Every change is written atomically: the new content goes to a temporary
//! file that is flushed to disk, then renamed over the old file (a rename
//! within one directory is atomic), then the directory is flushed. A crash
//! at any point leaves either the previous file or the new one, never a
//! partial one.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use notes_contracts::{Note, NoteId, NoteSummary, SaveNote};
use serde::{Deserialize, Serialize};

const FILE_NAME: &str = "notes.json";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredNotes {
    next_id: NoteId,
    notes: BTreeMap<NoteId, Note>,
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    NotFound(NoteId),
    Io(io::Error),
    /// The notes file exists but cannot be read as notes.
    Corrupt(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::NotFound(id) => write!(f, "note {id} does not exist"),
            StoreError::Io(error) => write!(f, "{error}"),
            StoreError::Corrupt(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<io::Error> for StoreError {
    fn from(error: io::Error) -> Self {
        StoreError::Io(error)
    }
}

/// The notes of one data directory.
#[derive(Debug)]
pub struct NoteStore {
    path: PathBuf,
    state: Mutex<StoredNotes>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

impl NoteStore {
    /// Opens (or creates) the store in `data_dir`. A corrupt file is an
    /// error, never silently replaced.
    pub fn open(data_dir: &Path) -> Result<NoteStore, StoreError> {
        fs::create_dir_all(data_dir)?;
        let path = data_dir.join(FILE_NAME);
        let state = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|error| {
                StoreError::Corrupt(format!("{} is not a notes file: {error}", path.display()))
            })?,
            Err(error) if error.kind() == io::ErrorKind::NotFound => StoredNotes {
                next_id: 1,
                notes: BTreeMap::new(),
            },
            Err(error) => return Err(error.into()),
        };
        Ok(NoteStore {
            path,
            state: Mutex::new(state),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, StoredNotes> {
        // The state is only replaced after a successful write, so it is
        // consistent whatever panicked while holding the lock.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Every note, most recently updated first.
    pub fn list(&self) -> Vec<NoteSummary> {
        let state = self.lock();
        let mut summaries: Vec<NoteSummary> = state.notes.values().map(Note::summary).collect();
        summaries.sort_by(|a, b| b.updated_at_ms.cmp(&a.updated_at_ms).then(b.id.cmp(&a.id)));
        summaries
    }

    pub fn get(&self, id: NoteId) -> Result<Note, StoreError> {
        self.lock()
            .notes
            .get(&id)
            .cloned()
            .ok_or(StoreError::NotFound(id))
    }

    /// Creates or replaces a note; returns it and whether it was created.
    pub fn save(&self, request: SaveNote) -> Result<(Note, bool), StoreError> {
        let mut state = self.lock();
        let mut next = StoredNotes {
            next_id: state.next_id,
            notes: state.notes.clone(),
        };
        let (id, created) = match request.id {
            Some(id) if next.notes.contains_key(&id) => (id, false),
            Some(id) => return Err(StoreError::NotFound(id)),
            None => {
                let id = next.next_id;
                next.next_id += 1;
                (id, true)
            }
        };
        let previous_update = next.notes.get(&id).map_or(0, |note| note.updated_at_ms);
        let note = Note {
            id,
            title: request.title,
            body: request.body,
            tags: request.tags,
            // Strictly increasing per note, even within one millisecond.
            updated_at_ms: now_ms().max(previous_update + 1),
        };
        next.notes.insert(id, note.clone());
        write_atomically(&self.path, &next)?;
        *state = next;
        Ok((note, created))
    }

    pub fn delete(&self, id: NoteId) -> Result<(), StoreError> {
        let mut state = self.lock();
        if !state.notes.contains_key(&id) {
            return Err(StoreError::NotFound(id));
        }
        let mut next = StoredNotes {
            next_id: state.next_id,
            notes: state.notes.clone(),
        };
        next.notes.remove(&id);
        write_atomically(&self.path, &next)?;
        *state = next;
        Ok(())
    }
}

fn write_atomically(path: &Path, notes: &StoredNotes) -> Result<(), StoreError> {
    let bytes =
        serde_json::to_vec_pretty(notes).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let temporary = path.with_extension("json.tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        // Makes the rename itself durable.
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("notes-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn save(store: &NoteStore, id: Option<NoteId>, title: &str) -> Note {
        store
            .save(SaveNote {
                id,
                title: title.into(),
                body: "body".into(),
                tags: vec![],
            })
            .expect("saved")
            .0
    }

    #[test]
    fn notes_survive_a_restart() {
        let dir = temp_dir("restart");
        let store = NoteStore::open(&dir).expect("opens");
        let first = save(&store, None, "first");
        let second = save(&store, None, "second");
        save(&store, Some(first.id), "first, edited");
        store.delete(second.id).expect("deleted");
        drop(store);

        let reopened = NoteStore::open(&dir).expect("reopens");
        let listed: Vec<String> = reopened.list().into_iter().map(|s| s.title).collect();
        assert_eq!(listed, ["first, edited"]);
        assert_eq!(save(&reopened, None, "third").id, 3, "ids are never reused");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_crash_mid_save_keeps_the_previous_version() {
        let dir = temp_dir("crash");
        let store = NoteStore::open(&dir).expect("opens");
        save(&store, None, "kept");
        // A save that crashed after writing part of its temporary file.
        fs::write(dir.join("notes.json.tmp"), b"{\"nextId\": 2, \"no").expect("write");
        drop(store);
        let reopened = NoteStore::open(&dir).expect("reopens");
        assert_eq!(reopened.list().len(), 1);
        assert_eq!(reopened.get(1).expect("kept").title, "kept");
        // The next save replaces the leftover temporary file.
        save(&reopened, None, "next");
        assert!(!dir.join("notes.json.tmp").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_notes_and_corrupt_files_are_errors() {
        let dir = temp_dir("errors");
        let store = NoteStore::open(&dir).expect("opens");
        assert!(matches!(store.get(9), Err(StoreError::NotFound(9))));
        assert!(matches!(store.delete(9), Err(StoreError::NotFound(9))));
        assert!(matches!(
            store.save(SaveNote {
                id: Some(9),
                title: "t".into(),
                body: String::new(),
                tags: vec![]
            }),
            Err(StoreError::NotFound(9))
        ));
        fs::write(dir.join("notes.json"), b"not json").expect("write");
        assert!(matches!(NoteStore::open(&dir), Err(StoreError::Corrupt(_))));
        let _ = fs::remove_dir_all(&dir);
    }
}
