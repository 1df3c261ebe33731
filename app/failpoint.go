package app

import (
	"os"
	"syscall"
)

// failpointKillAfterUpdate, set by TDKT_FAILPOINT=kill-after-update, makes
// the process kill itself (SIGKILL) right after Temporal has completed an
// action's update and before the API writes it into the read model or
// answers: the one moment the fault suite cannot hit by timing alone. Never
// set it in production.
var failpointKillAfterUpdate = os.Getenv("TDKT_FAILPOINT") == "kill-after-update"

func killAfterUpdate(s *Service, id string, version int64) {
	s.log.Error("failpoint kill-after-update: killing the process after Temporal's answer, before the read model",
		"dossier", id, "version", version)
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // the signal is on its way
}
