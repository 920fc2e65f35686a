/* cs-test-cpu-wait.h: how long the calling thread waited for a CPU
 *
 * On a loaded machine (two test programs, their servers and maybe a
 * compiler on two cores) a thread that could run often waits, runnable,
 * while other processes have the CPUs. A test that gives the program under
 * test N ms to do something (or waits N ms for a condition) adds this time
 * to N, so that the program gets N ms it could use: the kernel counts it in
 * the second field of /proc/thread-self/schedstat. Where the kernel does
 * not say, the time is 0 and nothing changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* Microseconds the calling thread has spent runnable but waiting for a
 * CPU since it started; -1 where the kernel does not tell. */
static inline gint64
cs_test_cpu_wait_us (void)
{
  g_autofree char *text = NULL;
  char *end = NULL;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL))
    return -1;
  g_ascii_strtoull (text, &end, 10);
  if (end == NULL || *end != ' ')
    return -1;
  return (gint64) (g_ascii_strtoull (end + 1, NULL, 10) / 1000);
}

/* The time (µs) since @since_us (monotonic) less what this thread spent
 * waiting for a CPU since @since_wait_us (a cs_test_cpu_wait_us () taken
 * then): the time it could have used. */
static inline gint64
cs_test_usable_us (gint64 since_us,
                   gint64 since_wait_us)
{
  gint64 elapsed = g_get_monotonic_time () - since_us;
  gint64 wait_now;

  if (since_wait_us < 0 || (wait_now = cs_test_cpu_wait_us ()) < 0)
    return elapsed;
  return elapsed - CLAMP (wait_now - since_wait_us, 0, elapsed);
}
