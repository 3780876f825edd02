/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

// Debian's ns-3 ships no test-runner binary: this one runs the TestSuites compiled into it.
// Usage as ns-3's own: --list, --suite=NAME, --fullness=QUICK|EXTENSIVE|TAKES_FOREVER, ...

#include "ns3/test.h"

int
main(int argc, char* argv[])
{
    return ns3::TestRunner::Run(argc, argv);
}
