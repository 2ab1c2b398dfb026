package main

import "fmt"

// foreignVerbs maps the verbs people bring from supervisorctl and systemctl
// to the svunit command line that does the same, so that typing what their
// fingers know gets an answer instead of a bare "unknown command".
var foreignVerbs = map[string]string{
	// supervisorctl
	"tail":     "supervisorctl's tail is 'svunit logs UNIT' (-f to follow, --stderr for standard error)",
	"maintail": "the manager's own messages go to the standard error of 'svunit daemon', which your init system keeps (journalctl -u svunit with systemd; see docs/install.md)",
	"signal":   "supervisorctl's 'signal SIG NAME' is 'svunit kill -s SIG UNIT'",
	"reread":   "'svunit reload' re-reads the unit files and applies the changes at once; 'svunit verify' checks them first without touching anything",
	"update":   "supervisorctl's update is 'svunit reload': added units start if enabled, removed ones stop, changed ones restart if running",
	"add":      "'svunit reload' loads new unit files (and starts them when enabled)",
	"remove":   "'svunit reload' unloads units whose files were removed (and stops them)",
	"avail":    "'svunit list' shows every loaded unit, running or not",
	"pid":      "the main pid is in 'svunit list' and 'svunit status UNIT' ('svunit -o json status UNIT' for scripts: field pid)",
	"clear":    "'svunit logs --rotate UNIT' starts new log files now; the old ones are kept as backups (LogBackups=)",
	"shutdown": "stop the manager the way it was started: Ctrl-C or SIGTERM for 'svunit daemon' in a terminal, your init system for the service (systemctl stop svunit; see docs/install.md)",
	"fg":       "svunit does not attach a terminal to programs; 'svunit logs -f UNIT' follows their output",
	// systemctl
	"show":          "'svunit -o json status UNIT' prints every state field; busctl get-property reads one (see docs/dbus-api.md)",
	"list-units":    "systemctl's list-units is 'svunit list'",
	"daemon-reload": "systemctl's daemon-reload is 'svunit reload'",
	"enable":        "a unit starts with the manager when its file has [Install] WantedBy=default.target; edit the file, then 'svunit reload'",
	"disable":       "a unit starts with the manager only when its file has [Install] WantedBy=; remove that line, then 'svunit reload'",
	"is-active":     "'svunit status UNIT' exits 0 when the unit is active and 3 when it is not",
	"is-failed":     "'svunit list --state failed' lists the failed units",
}

// unknownCommand is the error for a verb svunit does not have: it says
// what svunit calls it when another tool has it, or suggests a near verb.
func unknownCommand(name string) error {
	if hint := foreignVerbs[name]; hint != "" {
		return fmt.Errorf("unknown command %q: %s", name, hint)
	}
	return fmt.Errorf("unknown command %q%s", name, suggestCommand(name))
}
