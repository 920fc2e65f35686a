/* bench-store-refresh.c: what consilium-cli --serve pays per request to
 * answer from the runs folder as it is (cs_run_store_refresh_sync ())
 *
 * Makes N saved runs (3 candidates of about 6 KB of text each, a result) in
 * a temporary folder, loads them in a store as the server does at start,
 * then times, median of 21:
 *   - a refresh when nothing changed (one listing, one stat per file);
 *   - a refresh after another store (another process) saved one run again
 *     (that file read back);
 *   - the load of the whole folder, for scale.
 *
 * Usage: bench-store-refresh [N...]   (default 100 1000)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-store-refresh"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cs-engine.h"

#define N_ROUNDS 21

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

static CsRun *
make_run (guint i)
{
  g_autofree char *problem = g_strdup_printf ("Design a URL shortener, variant %u", i);
  CsRun *run = cs_run_new (CS_MODE_ARCHITECT, problem);
  g_autoptr(GString) text = g_string_new (NULL);

  while (text->len < 6000)
    g_string_append (text, "The service writes links to PostgreSQL and caches hot ones in Redis. ");
  for (guint c = 1; c <= 3; c++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", c);
      g_autoptr(CsCandidate) candidate = cs_candidate_new (id, "demo/demo-alpha", NULL);

      cs_candidate_set_text (candidate, text->str);
      cs_candidate_set_status (candidate, CS_CANDIDATE_OK);
      cs_run_add_candidate (run, candidate);
    }
  cs_run_set_state (run, CS_RUN_DONE);
  return run;
}

static double
elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000.0;
}

static void
bench (guint n)
{
  g_autofree char *dir = g_dir_make_tmp ("cs-bench-refresh-XXXXXX", NULL);
  g_autoptr(CsRunStore) writer = cs_run_store_new (dir);
  g_autoptr(CsRunStore) server = cs_run_store_new (dir);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  double still[N_ROUNDS], changed[N_ROUNDS], load[5];
  g_autoptr(GDir) d = NULL;
  const char *name;

  for (guint i = 0; i < n; i++)
    {
      CsRun *run = make_run (i);

      if (!cs_run_store_save_sync (writer, run, NULL))
        g_error ("could not save run %u", i);
      g_ptr_array_add (runs, run);
    }
  for (guint r = 0; r < G_N_ELEMENTS (load); r++)
    {
      g_autoptr(CsRunStore) fresh = cs_run_store_new (dir);
      gint64 t = g_get_monotonic_time ();

      cs_run_store_load_sync (fresh, NULL);
      load[r] = elapsed_ms (t);
    }
  cs_run_store_load_sync (server, NULL);
  g_assert (g_list_model_get_n_items (G_LIST_MODEL (server)) == n);

  for (guint r = 0; r < N_ROUNDS; r++)
    {
      gint64 t = g_get_monotonic_time ();

      cs_run_store_refresh_sync (server, NULL, NULL, NULL);
      still[r] = elapsed_ms (t);
    }
  for (guint r = 0; r < N_ROUNDS; r++)
    {
      CsRun *run = g_ptr_array_index (runs, r % n);
      gint64 t;

      cs_run_set_title (run, r % 2 ? "Renamed" : "Renamed again");
      cs_run_store_save_sync (writer, run, NULL);
      t = g_get_monotonic_time ();
      cs_run_store_refresh_sync (server, NULL, NULL, NULL);
      changed[r] = elapsed_ms (t);
    }

  printf ("%6u runs: refresh, nothing changed %7.2f ms; one run changed %7.2f ms; "
          "loading the folder %8.1f ms\n",
          n, median (still, N_ROUNDS), median (changed, N_ROUNDS), median (load, G_N_ELEMENTS (load)));

  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  if (argc < 2)
    {
      bench (100);
      bench (1000);
      return 0;
    }
  for (int i = 1; i < argc; i++)
    bench ((guint) g_ascii_strtoull (argv[i], NULL, 10));
  return 0;
}
