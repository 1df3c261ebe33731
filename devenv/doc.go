// Package devenv starts the real servers tdkt needs on a developer's machine
// and in tests: a PostgreSQL from the installed server binaries and the
// pinned Temporal CLI dev server with the dossier search attributes.
//
// `tdkt dev` uses StartPostgres and StartTemporal with persistent data under
// .data/; integration tests use TestPostgres and TestTemporal, which share one
// throw-away server of each kind per test process (see RunTests). Children are
// tied to the life of the process that started them: an orderly Stop, a
// signal, or even a SIGKILL of the parent leaves no server behind.
package devenv
