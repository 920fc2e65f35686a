/* test-util.h: what the engine and UI tests share: waits scaled by the
 * slack, a temporary data home, the in-process test provider, a config and
 * run store per test, and a whole run waited for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cs-engine.h"
#include "cs-test-provider.h"

G_BEGIN_DECLS

typedef gboolean (*CsTestCondition) (gpointer data);

/* How many times longer every wait may take: CONSILIUM_TEST_SLOW=N
 * (sanitizer builds), 10 under valgrind, 1 otherwise. */
guint           cs_test_slack              (void);

/* Iterates the main context until @cond (@data) holds or @timeout_ms times
 * the slack passed (the time this thread waited for a CPU that other
 * processes had not counted: cs-test-cpu-wait.h); returns whether it held.
 * Never a fixed sleep: the context is woken every 20 ms to ask again. */
gboolean        cs_test_wait_for           (CsTestCondition  cond,
                                            gpointer         data,
                                            guint            timeout_ms);
/* A condition that never holds: cs_test_wait_for (cs_test_never, NULL, MS)
 * lets time pass where time itself is what is waited for (a toast's
 * timeout, streaming half-way for a picture), never before an assertion. */
gboolean        cs_test_never              (gpointer         data);

/* Iterates until *@flag is set, failing the test after @timeout_s times
 * the slack. */
void            cs_test_iterate_until      (const gboolean  *flag,
                                            guint            timeout_s);

/* Removes @path and, for a folder, all below it (links are removed, not
 * followed). */
void            cs_test_rm_rf              (const char      *path);

/* A fresh temporary folder named after @name ("cs-test-NAME-XXXXXX") with
 * XDG_DATA_HOME set to its "data" folder; call it before anything reads the
 * XDG folders. Returns the folder (remove it with cs_test_rm_rf). */
char           *cs_test_make_data_home     (const char      *name);
/* The data home made above. */
const char     *cs_test_get_data_home      (void);

/* Switches the whole process to de_DE.UTF-8 (LC_ALL), made with localedef
 * into a temporary folder that LOCPATH then names where the system lacks it
 * (Debian's `locales`, installed by tools/deps.sh): neither there is an
 * error, not a skip. Returns that folder, to remove with cs_test_rm_rf, or
 * NULL when the system had the locale. */
char           *cs_test_use_german_locale  (void);

/* A started in-process test provider on a free loopback port. */
CsTestProvider *cs_test_provider_start_new (void);

/* A providers file with one provider, "demo", at @provider: @models (";"
 * between them), 8 at a time, no rate limit, no retries. */
char           *cs_test_demo_ini           (CsTestProvider  *provider,
                                            const char      *models);

/* A config parsed from @ini (@ini_name in its errors), a fresh runs folder
 * below the data home and a store over it. */
void            cs_test_open_store         (const char      *ini,
                                            const char      *ini_name,
                                            CsConfig       **config,
                                            CsRunStore     **store,
                                            char           **runs_dir);
/* Flushes and frees what cs_test_open_store() gave. */
void            cs_test_close_store        (CsConfig       **config,
                                            CsRunStore     **store,
                                            char           **runs_dir);

/* What an engine test's fixture holds: cs_test_fixture_open() fills it,
 * cs_test_fixture_tear_down() (a g_test_add() tear-down) empties it. */
typedef struct {
  CsConfig   *config;
  CsRunStore *store;
  char       *runs_dir;
} CsTestFixture;

/* cs_test_open_store() into @f. */
void            cs_test_fixture_open       (CsTestFixture   *f,
                                            const char      *ini,
                                            const char      *ini_name);
/* cs_test_close_store() of @f. */
void            cs_test_fixture_tear_down  (CsTestFixture   *f,
                                            gconstpointer    data);

/* A runner for @run with @spec planned (asserted to plan), saving to
 * @store. */
CsRunner       *cs_test_plan_runner        (CsConfig        *config,
                                            CsRunStore      *store,
                                            CsRun           *run,
                                            const char * const *spec);

/* The candidate at @i of @run (the run keeps it: no reference). */
CsCandidate    *cs_test_candidate          (CsRun           *run,
                                            guint            i);

/* A runner for a new run in @mode (a URL shortener, or nginx's 502), a
 * budget constraint, @judge (or NULL) and @spec planned, saving to @store. */
CsRunner       *cs_test_new_runner         (CsConfig        *config,
                                            CsRunStore      *store,
                                            CsMode           mode,
                                            const char * const *spec,
                                            const char      *judge);

/* A runner's execute (or another async call's) outcome. */
typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
  gint64    finished_us;   /* monotonic time of the callback */
} CsTestWait;

/* The GAsyncReadyCallback of cs_runner_execute_async() into a CsTestWait. */
void            cs_test_execute_cb         (GObject         *object,
                                            GAsyncResult    *result,
                                            gpointer         user_data);
/* Executes @runner and iterates until it ends, failing the test after
 * @timeout_s times the slack. */
void            cs_test_execute            (CsRunner        *runner,
                                            GCancellable    *cancellable,
                                            CsTestWait      *w,
                                            guint            timeout_s);

G_END_DECLS
