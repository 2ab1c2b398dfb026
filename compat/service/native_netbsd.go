package service

import "svunit.dev/svunit/compat"

// nativeTarget is the wrapper svunit installs by itself where
// kardianos/service knows no init system.
const nativeTarget = compat.NetBSD
