//! Lets the code see PyO3's interpreter cfgs (`Py_GIL_DISABLED` for free-threaded builds).
fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
