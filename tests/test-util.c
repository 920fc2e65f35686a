/* test-util.c: what the engine and UI tests share (test-util.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "cs-test-cpu-wait.h"
#include "test-util.h"

static char *data_home;

guint
cs_test_slack (void)
{
  static guint slack;

  if (slack == 0)
    {
      const char *slow = g_getenv ("CONSILIUM_TEST_SLOW");
      const char *preload = g_getenv ("LD_PRELOAD");

      if (slow != NULL)
        slack = MAX (1, (guint) g_ascii_strtoull (slow, NULL, 10));
      else if (preload != NULL && strstr (preload, "vgpreload") != NULL)
        slack = 10;
      else
        slack = 1;
    }
  return slack;
}

static gboolean
wake_up_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
cs_test_wait_for (CsTestCondition cond,
                  gpointer        data,
                  guint           timeout_ms)
{
  gint64 budget = (gint64) timeout_ms * cs_test_slack () * 1000;
  gint64 start = g_get_monotonic_time ();
  gint64 start_wait = cs_test_cpu_wait_us ();
  guint wake = g_timeout_add (20, wake_up_cb, NULL);
  gboolean ok;

  /* the time this thread waited for a CPU (a loaded machine) does not
   * count */
  while (!(ok = cond (data)) && cs_test_usable_us (start, start_wait) < budget)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return ok;
}

gboolean
cs_test_never (gpointer data)
{
  return FALSE;
}

void
cs_test_iterate_until (const gboolean *flag,
                       guint           timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * cs_test_slack () * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_up_cb, NULL);

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

void
cs_test_rm_rf (const char *path)
{
  GDir *d;
  const char *name;

  /* a link is removed, never followed */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || (d = g_dir_open (path, 0, NULL)) == NULL)
    {
      g_unlink (path);
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      cs_test_rm_rf (child);
    }
  g_dir_close (d);
  g_rmdir (path);
}

char *
cs_test_make_data_home (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template = g_strdup_printf ("cs-test-%s-XXXXXX", name);
  char *tmp = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  g_free (data_home);
  data_home = g_build_filename (tmp, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  return tmp;
}

const char *
cs_test_get_data_home (void)
{
  g_assert_nonnull (data_home);
  return data_home;
}

CsTestProvider *
cs_test_provider_start_new (void)
{
  g_autoptr(GError) error = NULL;
  CsTestProvider *provider = cs_test_provider_new ();

  g_assert_true (cs_test_provider_start (provider, 0, &error));
  g_assert_no_error (error);
  return provider;
}

char *
cs_test_demo_ini (CsTestProvider *provider,
                  const char     *models)
{
  g_autofree char *base = cs_test_provider_dup_base_url (provider);

  return g_strdup_printf ("[provider demo]\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s\n"
                          "max-concurrent=8\n"
                          "requests-per-minute=0\n"
                          "max-retries=0\n",
                          base, models);
}

void
cs_test_open_store (const char  *ini,
                    const char  *ini_name,
                    CsConfig   **config,
                    CsRunStore **store,
                    char       **runs_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("runs-%08x", g_random_int ());

  *config = cs_config_new_from_data (ini, ini_name, &error);
  g_assert_no_error (error);
  *runs_dir = g_build_filename (cs_test_get_data_home (), "consilium", name, NULL);
  *store = cs_run_store_new (*runs_dir);
}

void
cs_test_close_store (CsConfig   **config,
                     CsRunStore **store,
                     char       **runs_dir)
{
  if (*store != NULL)
    cs_run_store_flush (*store);
  g_clear_object (store);
  g_clear_object (config);
  g_clear_pointer (runs_dir, g_free);
}

void
cs_test_fixture_open (CsTestFixture *f,
                      const char    *ini,
                      const char    *ini_name)
{
  cs_test_open_store (ini, ini_name, &f->config, &f->store, &f->runs_dir);
}

void
cs_test_fixture_tear_down (CsTestFixture *f,
                           gconstpointer  data)
{
  cs_test_close_store (&f->config, &f->store, &f->runs_dir);
}

CsRunner *
cs_test_plan_runner (CsConfig           *config,
                     CsRunStore         *store,
                     CsRun              *run,
                     const char * const *spec)
{
  g_autoptr(GError) error = NULL;
  CsRunner *runner = cs_runner_new (config, run);

  cs_runner_set_store (runner, store);
  g_assert_true (cs_runner_plan (runner, spec, &error));
  g_assert_no_error (error);
  return runner;
}

CsCandidate *
cs_test_candidate (CsRun *run,
                   guint  i)
{
  CsCandidate *c = g_list_model_get_item (G_LIST_MODEL (run), i);

  g_object_unref (c); /* the run keeps it */
  return c;
}

CsRunner *
cs_test_new_runner (CsConfig           *config,
                    CsRunStore         *store,
                    CsMode              mode,
                    const char * const *spec,
                    const char         *judge)
{
  g_autoptr(CsRun) run = cs_run_new (mode, mode == CS_MODE_ARCHITECT
                                     ? "Design a URL shortener for 10M links a day"
                                     : "nginx returns 502 Bad Gateway after an upgrade");

  cs_run_set_constraint (run, "budget", "500 USD a month");
  cs_run_set_judge (run, judge);
  return cs_test_plan_runner (config, store, run, spec);
}

void
cs_test_execute_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CsTestWait *w = user_data;

  w->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &w->error);
  w->done = TRUE;
  w->finished_us = g_get_monotonic_time ();
}

void
cs_test_execute (CsRunner     *runner,
                 GCancellable *cancellable,
                 CsTestWait   *w,
                 guint         timeout_s)
{
  cs_runner_execute_async (runner, cancellable, cs_test_execute_cb, w);
  cs_test_iterate_until (&w->done, timeout_s);
}

char *
cs_test_use_german_locale (void)
{
  g_autofree char *localedef = NULL;
  g_autofree char *locale_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, "-i", "de_DE", "-f", "UTF-8", NULL, NULL };
  int status = 0;

  if (setlocale (LC_ALL, "de_DE.UTF-8") != NULL)
    return NULL;

  localedef = g_find_program_in_path ("localedef");
  if (localedef == NULL)
    g_error ("no localedef to make de_DE.UTF-8 (Debian's libc-bin; tools/deps.sh)");
  if (!g_file_test ("/usr/share/i18n/locales/de_DE", G_FILE_TEST_IS_REGULAR))
    g_error ("no locale source /usr/share/i18n/locales/de_DE (Debian's `locales`; tools/deps.sh)");

  locale_dir = cs_test_make_data_home ("locale-de");
  target = g_build_filename (locale_dir, "de_DE.UTF-8", NULL);
  argv[0] = localedef;
  argv[5] = target;
  /* localedef says 1 for warnings it wrote the locale despite */
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error))
    g_error ("localedef: %s", error->message);
  g_setenv ("LOCPATH", locale_dir, TRUE);
  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    g_error ("de_DE.UTF-8 was not made (localedef said %d): %s%s", status, out, err);
  return g_steal_pointer (&locale_dir);
}
