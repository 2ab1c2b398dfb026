//go:build !openbsd && !netbsd

package service

import "svunit.dev/svunit/compat"

// nativeTarget is the wrapper svunit installs by itself where
// kardianos/service knows no init system; elsewhere kardianos/service
// detects the init system.
const nativeTarget compat.Target = ""
