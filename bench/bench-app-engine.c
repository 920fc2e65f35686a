/* bench-app-engine.c: `bench-app engine`, the app's run without the app
 *
 * The same 8 candidates, the same providers.ini (written by `bench-app run`
 * into fresh XDG directories), the same problem, the same provider process,
 * through CsRunner on a plain GLib main loop: no window, nothing drawn. Its
 * streaming phase is what the app's would be if drawing cost nothing, so
 * `bench-app run` divides the app's by it, round by round.
 *
 * Prints key=value lines like `bench-app app`: run-state, stream-ms,
 * stall-stream-ms, stall-all-ms, synthesis-ms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-app"

#include "config.h"

#include <stdio.h>

#include "cs-engine.h"
#include "bench-app-private.h"

typedef struct {
  GMainLoop *loop;
  gboolean   streaming;
  gboolean   ok;
  GError    *error;
  gint64     start_us;
  gint64     stream_end_us;
  gint64     end_us;
  gint64     last_tick_us;
  gint64     gap_stream_us;
  gint64     gap_all_us;
} EngineProbe;

static gboolean
tick_cb (gpointer user_data)
{
  EngineProbe *p = user_data;
  gint64 now = g_get_monotonic_time ();

  if (p->last_tick_us > 0)
    {
      if (p->streaming)
        p->gap_stream_us = MAX (p->gap_stream_us, now - p->last_tick_us);
      p->gap_all_us = MAX (p->gap_all_us, now - p->last_tick_us);
    }
  p->last_tick_us = now;
  return G_SOURCE_CONTINUE;
}

static void
state_cb (CsRun       *run,
          GParamSpec  *pspec,
          EngineProbe *p)
{
  CsRunState state = cs_run_get_state (run);

  if (p->streaming && state != CS_RUN_RUNNING && state != CS_RUN_DRAFT)
    {
      p->streaming = FALSE;
      p->stream_end_us = g_get_monotonic_time ();
    }
}

static void
execute_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  EngineProbe *p = user_data;

  p->ok = cs_runner_execute_finish (CS_RUNNER (object), result, &p->error);
  p->end_us = g_get_monotonic_time ();
  if (p->streaming)
    {
      p->streaming = FALSE;
      p->stream_end_us = p->end_us;
    }
  g_main_loop_quit (p->loop);
}

int
bench_app_engine_main (int   argc,
                       char *argv[])
{
  gboolean judge = FALSE;
  const GOptionEntry entries[] = {
    { "judge", 0, 0, G_OPTION_ARG_NONE, &judge, "With the demo judge", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the app's run through the engine alone");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "consilium", "providers.ini", NULL);
  g_autoptr(CsConfig) config = NULL;
  g_autoptr(CsRun) run = NULL;
  g_autoptr(CsRunner) runner = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_free);
  EngineProbe p = { 0 };
  guint probe_id;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      (config = cs_config_new_from_file (path, &error)) == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  for (guint i = 0; i < BENCH_APP_N_CANDIDATES; i++)
    g_ptr_array_add (models, g_strdup_printf ("demo/%s", bench_app_model_id_static (i)));
  g_ptr_array_add (models, NULL);

  run = cs_run_new (CS_MODE_ARCHITECT, bench_app_problem);
  if (judge)
    cs_run_set_judge (run, "demo/demo-judge");
  runner = cs_runner_new (config, run);
  if (!cs_runner_plan (runner, (const char * const *) models->pdata, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  p.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (run, "notify::state", G_CALLBACK (state_cb), &p);
  probe_id = g_timeout_add (1, tick_cb, &p);
  p.streaming = TRUE;
  p.start_us = g_get_monotonic_time ();
  cs_runner_execute_async (runner, NULL, execute_cb, &p);
  g_main_loop_run (p.loop);
  g_source_remove (probe_id);
  g_main_loop_unref (p.loop);

  if (!p.ok)
    {
      g_printerr ("%s\n", p.error != NULL ? p.error->message : "the run failed");
      g_clear_error (&p.error);
      return 1;
    }
  printf ("run-state=%s\n", cs_run_state_to_string (cs_run_get_state (run)));
  printf ("stream-ms=%.0f\n", (p.stream_end_us - p.start_us) / 1000.0);
  printf ("stall-stream-ms=%.1f\n", p.gap_stream_us / 1000.0);
  printf ("stall-all-ms=%.1f\n", p.gap_all_us / 1000.0);
  printf ("synthesis-ms=%.0f\n", (p.end_us - p.stream_end_us) / 1000.0);
  fflush (stdout);
  return 0;
}
