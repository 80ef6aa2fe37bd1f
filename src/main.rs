fn main() -> std::process::ExitCode {
    corelab::cli::main()
}
