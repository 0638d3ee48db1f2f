#![no_main]

// tamis turns a panic inside the parquet/arrow readers into an "unreadable Parquet" error (a corrupt file
// still panics them). libFuzzer's hook would abort on that caught panic too: keep the default hook, so only a
// panic that escapes the check (and ends in libfuzzer-sys's abort) is a crash.
libfuzzer_sys::fuzz_target!(
    init: drop(std::panic::take_hook()),
    |data: &[u8]| tamis_fuzz::records::check(data)
);
