//! Replacing a whole folder at once, so that a reader of the published dataset never sees files of
//! two runs side by side: the new folder is built beside the old one and the two are swapped in one
//! step (Linux `renameat2` with `RENAME_EXCHANGE`; a plain rename when there is no old folder).
//! Where the file system cannot swap, the files move in one by one, those named `last` at the end.

use std::path::Path;

use crate::error::{Error, Result};

/// Puts the folder `staged` in the place of `target` and removes the old one.
pub fn replace(staged: &Path, target: &Path, last: &[&str]) -> Result<()> {
    if !target.exists() {
        return std::fs::rename(staged, target).map_err(|e| Error::io(target, e));
    }
    if swap(staged, target)? {
        // `staged` now holds the old folder.
        return std::fs::remove_dir_all(staged).map_err(|e| Error::io(staged, e));
    }
    move_files(staged, target, last)
}

/// Swaps the two folders in one step; false when the file system cannot.
#[cfg(target_os = "linux")]
fn swap(a: &Path, b: &Path) -> Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::OPNOTSUPP) => {
            Ok(false)
        }
        Err(e) => Err(Error::io(b, e.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn swap(_a: &Path, _b: &Path) -> Result<bool> {
    Ok(false)
}

/// Moves every file and folder of `from` into `to` (replacing those of the same name), `last` ones
/// at the end.
fn move_files(from: &Path, to: &Path, last: &[&str]) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(from)
        .map_err(|e| Error::io(from, e))?
        .filter_map(|entry| Some(entry.ok()?.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort_by_key(|name| (last.contains(&name.as_str()), name.clone()));
    for name in names {
        let target = to.join(&name);
        // A folder cannot be renamed over a folder that holds files: the old one goes first.
        if target.is_dir() && from.join(&name).is_dir() {
            std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, e))?;
        }
        std::fs::rename(from.join(&name), &target).map_err(|e| Error::io(&target, e))?;
    }
    std::fs::remove_dir(from).map_err(|e| Error::io(from, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(root: &Path, name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    fn contents(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap();
                (e.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn the_new_folder_takes_the_old_ones_place_whole() {
        let root = tempfile::tempdir().unwrap();
        let old = folder(root.path(), "out", &[("a", "old"), ("gone", "old")]);
        let new = folder(root.path(), ".out.new", &[("a", "new"), ("b", "new")]);
        replace(&new, &old, &[]).unwrap();
        assert_eq!(
            contents(&old),
            [("a".into(), "new".into()), ("b".into(), "new".into())]
        );
        assert!(!new.exists());
        // With no old folder, the new one is renamed into place.
        let fresh = folder(root.path(), ".fresh.new", &[("c", "new")]);
        replace(&fresh, &root.path().join("fresh"), &[]).unwrap();
        assert_eq!(
            contents(&root.path().join("fresh")),
            [("c".into(), "new".into())]
        );
    }

    #[test]
    fn where_folders_cannot_swap_each_file_is_replaced() {
        let root = tempfile::tempdir().unwrap();
        let old = folder(root.path(), "out", &[("a", "old")]);
        let new = folder(
            root.path(),
            ".out.new",
            &[("z", "new"), ("m", "new"), ("a", "new")],
        );
        move_files(&new, &old, &["a"]).unwrap();
        assert_eq!(contents(&old).len(), 3);
        assert_eq!(std::fs::read_to_string(old.join("a")).unwrap(), "new");
        assert!(!new.exists());
    }
}
