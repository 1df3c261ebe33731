package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times
// (100 on every Linux this runs on).
const clockTicks = 100

// cpuMeter reads how much CPU each part of a throw-away system has used:
// the Temporal dev server, PostgreSQL (the postmaster and every backend)
// and this process (API, worker and the benchmark's clients). It reads
// /proc, so it works on Linux only; elsewhere it reads zeros.
type cpuMeter struct {
	temporalPid, postgresPid int
	// temporalPids are a cluster's service processes (temporalPid unset).
	temporalPids []int
}

// CPUSeconds is CPU time used, by part.
type CPUSeconds struct {
	Temporal   float64 `json:"temporal"`
	PostgreSQL float64 `json:"postgresql"`
	TDKT       float64 `json:"tdkt"`
}

func (a CPUSeconds) sub(b CPUSeconds) CPUSeconds {
	return CPUSeconds{a.Temporal - b.Temporal, a.PostgreSQL - b.PostgreSQL, a.TDKT - b.TDKT}
}

// perStep is a as milliseconds per step.
func (a CPUSeconds) perStep(steps int) CPUSeconds {
	if steps == 0 {
		return CPUSeconds{}
	}
	k := 1000 / float64(steps)
	return CPUSeconds{round1(a.Temporal * k), round1(a.PostgreSQL * k), round1(a.TDKT * k)}
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

func (m *cpuMeter) read() CPUSeconds {
	if m == nil {
		return CPUSeconds{}
	}
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	out := CPUSeconds{TDKT: tv(self.Utime) + tv(self.Stime)}
	if m.temporalPid > 0 {
		out.Temporal = procCPU(m.temporalPid, true)
	}
	for _, pid := range m.temporalPids {
		out.Temporal += procCPU(pid, true)
	}
	if m.postgresPid > 0 {
		out.PostgreSQL = procCPU(m.postgresPid, true)
		for _, pid := range childrenOf(m.postgresPid) {
			out.PostgreSQL += procCPU(pid, false)
		}
	}
	return out
}

// procCPU is a process's user and system time in seconds, with its exited
// and waited-for children's when children is set.
func procCPU(pid int, children bool) float64 {
	f := statFields(pid)
	if len(f) < 17 {
		return 0
	}
	sum := 0.0
	last := 15 // utime, stime (fields 14, 15)
	if children {
		last = 17 // cutime, cstime (16, 17)
	}
	for i := 14; i <= last; i++ {
		v, _ := strconv.ParseFloat(f[i-1], 64)
		sum += v
	}
	return sum / clockTicks
}

// statFields are /proc/<pid>/stat's fields, numbered from 1 as in proc(5);
// the command name, which may hold spaces, is one field.
func statFields(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return nil
	}
	return append([]string{strings.TrimSpace(s[:i]), s[i+1 : j]}, strings.Fields(s[j+1:])...)
}

// childrenOf are the live processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(p); len(f) > 4 && f[3] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}
