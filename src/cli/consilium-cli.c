/* consilium-cli.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>

#include "cs-engine.h"

int
main (int argc, char *argv[])
{
  printf ("Usage: consilium-cli [OPTION…] PROBLEM_FILE|-\n");
  return 0;
}
