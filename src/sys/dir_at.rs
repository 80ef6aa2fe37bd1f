//! Calls relative to an open directory (`openat`, `unlinkat`, `fstatat`), so that what is
//! opened, removed or looked at is in that directory, whatever its path now leads to.

use std::ffi::OsStr;
use std::fs::File;

fn c_name(name: &OsStr) -> std::io::Result<std::ffi::CString> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(name.as_bytes()).map_err(std::io::Error::other)
}

/// `openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | flags)`: never through a symbolic
/// link.
pub fn open_at(dir: &File, name: &OsStr, flags: libc::c_int) -> std::io::Result<File> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    let name = c_name(name)?;
    // SAFETY: `name` is a NUL-terminated string we own; `dir` is an open descriptor.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC | flags,
        )
    };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nothing else.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// `unlinkat(dir, name, flags)`.
pub fn unlink_at(dir: &File, name: &OsStr, flags: libc::c_int) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let name = c_name(name)?;
    // SAFETY: `name` is a NUL-terminated string we own; `dir` is an open descriptor.
    if unsafe { libc::unlinkat(dir.as_raw_fd(), name.as_ptr(), flags) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)`: the device and inode numbers of what `name` in
/// `dir` is now, a symbolic link itself if it is one.
pub fn stat_at(dir: &File, name: &OsStr) -> std::io::Result<(u64, u64)> {
    use std::os::fd::AsRawFd;
    let name = c_name(name)?;
    // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `name` is a NUL-terminated string we own, `stat` a struct we own.
    let status = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if status == 0 {
        Ok((stat.st_dev as u64, stat.st_ino as u64))
    } else {
        Err(std::io::Error::last_os_error())
    }
}
