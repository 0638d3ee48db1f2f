#![no_main]

// tamis turns a panic inside the parquet/arrow readers into an "unreadable Parquet" error (a corrupt file
// still panics them). libFuzzer's hook would abort on that caught panic too, so this one only prints the
// message (a backtrace per caught panic would cost most of the time): a panic that escapes the check still
// ends in libfuzzer-sys's abort, and is a crash.
libfuzzer_sys::fuzz_target!(
    init: std::panic::set_hook(Box::new(|info| eprintln!("{info}"))),
    |data: &[u8]| tamis_fuzz::records::check(data)
);
