// oci-validate BUNDLE...: the opencontainers runtime-tools bundle validator
// (its validate package, as Debian ships it; what `oci-runtime-tool
// validate` runs) on each bundle, host-specific checks included.  The JSON
// schema check is left to tests/lib/oci-validate.py: runtime-tools fetches
// the schema from GitHub, this one uses Debian's copy.
package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/go-multierror"
	"github.com/opencontainers/runtime-tools/validate"
)

// The checks return an empty *multierror.Error, not nil, when all is well.
func failed(err error) bool {
	me, ok := err.(*multierror.Error)
	return err != nil && (!ok || (me != nil && len(me.Errors) > 0))
}

func check(bundle string) []error {
	v, err := validate.NewValidatorFromPath(bundle, true, "linux")
	if err != nil {
		return []error{err}
	}
	var errs []error
	// CheckSemVer is left out: it accepts only the spec version the library
	// was built for (1.0.2-dev), not any 1.x a bundle may name.
	for _, c := range []func() error{v.CheckPlatform, v.CheckRoot, v.CheckMandatoryFields, v.CheckMounts,
		v.CheckProcess, v.CheckLinux, v.CheckAnnotations, v.CheckHooks} {
		if err := c(); failed(err) {
			errs = append(errs, err)
		}
	}
	return errs
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: oci-validate BUNDLE...")
		os.Exit(2)
	}
	failed := 0
	for _, b := range os.Args[1:] {
		for _, e := range check(b) {
			fmt.Printf("%s: %v\n", b, e)
			failed++
		}
	}
	if failed > 0 {
		os.Exit(1)
	}
	fmt.Printf("%d bundles valid\n", len(os.Args)-1)
}
