package bench

import (
	"os"
	"os/exec"
	"slices"
	"testing"
)

// The CPU meter reads /proc: this process's time, a parent's children, and
// a command name with spaces and parentheses in it.
func TestCPUMeterReadsProc(t *testing.T) {
	x := 0
	for i := range 50_000_000 {
		x += i % 7
	}
	_ = x
	if got := procCPU(os.Getpid(), false); got <= 0 {
		t.Fatalf("this process used %v s of CPU", got)
	}
	if !slices.Contains(childrenOf(os.Getppid()), os.Getpid()) {
		t.Fatalf("this process is not among its parent's children")
	}
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if f := statFields(cmd.Process.Pid); len(f) < 17 || f[1] != "sleep" {
		t.Fatalf("stat fields %q", f)
	}
	m := &cpuMeter{temporalPid: cmd.Process.Pid, postgresPid: os.Getppid()}
	if got := m.read(); got.TDKT <= 0 || got.PostgreSQL <= 0 {
		t.Fatalf("read %+v", got)
	}
	var none *cpuMeter
	if got := none.read(); got != (CPUSeconds{}) {
		t.Fatalf("a nil meter read %+v", got)
	}
}
