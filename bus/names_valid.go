package bus

// Validity rules for the names the D-Bus specification defines ("Valid
// Names"). They are byte-level checks: every valid name is ASCII.

const maxNameLen = 255

func isAlpha(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validElements checks a dot-separated name of at least two elements whose
// bytes satisfy ok; first reports whether a byte may start an element.
func validElements(s string, ok, first func(byte) bool) bool {
	if len(s) == 0 || len(s) > maxNameLen {
		return false
	}
	elems, start := 1, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if start {
				return false
			}
			elems, start = elems+1, true
		case start && !first(c):
			return false
		case !ok(c):
			return false
		default:
			start = false
		}
	}
	return !start && elems >= 2
}

func isNameByte(c byte) bool       { return isAlpha(c) || isDigit(c) }
func isBusNameByte(c byte) bool    { return isAlpha(c) || isDigit(c) || c == '-' }
func isBusNameFirst(c byte) bool   { return isAlpha(c) || c == '-' }
func isUniqueNameByte(c byte) bool { return isBusNameByte(c) }

// validInterface reports whether s is a valid interface (or error) name.
func validInterface(s string) bool { return validElements(s, isNameByte, isAlpha) }

// validMember reports whether s is a valid member name.
func validMember(s string) bool {
	if len(s) == 0 || len(s) > maxNameLen || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

// validBusName reports whether s is a valid unique (":1.5") or well-known
// ("org.example.App") bus name.
func validBusName(s string) bool {
	if len(s) > 0 && s[0] == ':' {
		return validElements(s[1:], isUniqueNameByte, isUniqueNameByte) && len(s) <= maxNameLen
	}
	return validElements(s, isBusNameByte, isBusNameFirst)
}

// validPath reports whether s is a valid object path.
func validPath(s string) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	if s == "/" {
		return true
	}
	if s[len(s)-1] == '/' {
		return false
	}
	prevSlash := true
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '/' {
			if prevSlash {
				return false
			}
			prevSlash = true
			continue
		}
		if !isNameByte(c) {
			return false
		}
		prevSlash = false
	}
	return true
}
