//go:build linux

package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// supervisord is Python's Supervisor: supervisord with supervisorctl.
type supervisord struct {
	daemon string // supervisord
	ctl    string // supervisorctl
}

func (supervisord) name() string { return colSup }
func (supervisord) api() error   { return nil }

func (s supervisord) launch(ctx context.Context, dir string, progs []prog) (instance, error) {
	conf, err := s.writeConfig(dir, progs)
	if err != nil {
		return nil, err
	}
	d, err := startDaemon([]string{s.daemon, "-n", "-c", conf}, filepath.Join(dir, "supervisord.out"), nil)
	if err != nil {
		return nil, err
	}
	in := &supInstance{daemon: d, sys: s, dir: dir, conf: conf, rpc: newXMLRPC(filepath.Join(dir, "supervisor.sock"))}
	err = waitFor(ctx, 60*time.Second, 20*time.Millisecond, "supervisord's XML-RPC to answer", func() (bool, error) {
		if d.hasExited() {
			return false, d.failure()
		}
		v, err := in.rpc.call(ctx, 5*time.Second, "supervisor.getState")
		if err != nil {
			return false, err
		}
		m, _ := v.(map[string]any)
		return m["statename"] == "RUNNING", nil
	})
	if err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// writeConfig writes supervisord.conf: a private unix socket, no daemonizing,
// and one [program:x] per prog with the same options svunit's units get.
func (s supervisord) writeConfig(dir string, progs []prog) (string, error) {
	var b strings.Builder
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(&b, `[unix_http_server]
file=%[1]s/supervisor.sock

[supervisord]
nodaemon=true
logfile=%[1]s/supervisord.log
logfile_maxbytes=0
pidfile=%[1]s/supervisord.pid
childlogdir=%[2]s
minfds=%[3]d
loglevel=info

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://%[1]s/supervisor.sock
`, dir, logs, 8*len(progs)+1024)
	for _, p := range progs {
		cmd, err := commandLine(p.Argv)
		if err != nil {
			return "", err
		}
		autorestart := "unexpected"
		if p.Restart {
			autorestart = "true"
		}
		fmt.Fprintf(&b, "\n[program:%s]\ncommand=%s\nstartsecs=%d\nautostart=%t\nautorestart=%s\n",
			p.Name, strings.ReplaceAll(cmd, "%", "%%"), p.StartSecs, p.Autostart, autorestart)
		if p.StopWait > 0 {
			fmt.Fprintf(&b, "stopwaitsecs=%d\n", int(p.StopWait.Seconds()+0.5))
		}
		if p.Log != "" {
			fmt.Fprintf(&b, "stdout_logfile=%s\nstdout_logfile_maxbytes=%d\nstdout_logfile_backups=%d\n",
				p.Log, p.LogMax, p.LogBackups)
		}
	}
	conf := filepath.Join(dir, "supervisord.conf")
	return conf, os.WriteFile(conf, []byte(b.String()), 0o644)
}

type supInstance struct {
	*daemon
	sys  supervisord
	dir  string
	conf string
	rpc  *xmlrpcClient
}

func (s *supInstance) own() ([]proc, error) { return []proc{s.p}, nil }

func (s *supInstance) running(ctx context.Context) (int, error) {
	v, err := s.rpc.call(ctx, 60*time.Second, "supervisor.getAllProcessInfo")
	if err != nil {
		return 0, err
	}
	list, _ := v.([]any)
	n := 0
	for _, x := range list {
		if m, _ := x.(map[string]any); m["statename"] == "RUNNING" {
			n++
		}
	}
	return n, nil
}

func (s *supInstance) cli(ctx context.Context, args ...string) error {
	return runTool(ctx, append([]string{s.sys.ctl, "-c", s.conf}, args...), statusExitOK(args)...)
}

func (s *supInstance) info(ctx context.Context, name string) error {
	_, err := s.rpc.call(ctx, 60*time.Second, "supervisor.getProcessInfo", name)
	return err
}

// startStop counts the SIGKILLs supervisord logs around the stop: it logs
// "killing 'x' (pid N) with SIGKILL" when stopwaitsecs runs out.
func (s *supInstance) startStop(ctx context.Context, name string) (bool, error) {
	before, err := s.sigkills()
	if err != nil {
		return false, err
	}
	if _, err := s.rpc.call(ctx, 30*time.Second, "supervisor.startProcess", name, false); err != nil {
		return false, err
	}
	if _, err := s.rpc.call(ctx, 120*time.Second, "supervisor.stopProcess", name, true); err != nil {
		return false, err
	}
	after, err := s.sigkills()
	return after > before, err
}

func (s *supInstance) sigkills() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "supervisord.log"))
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte("with SIGKILL")), nil
}

func (s *supInstance) close() error {
	s.rpc.close()
	return s.daemon.close()
}
