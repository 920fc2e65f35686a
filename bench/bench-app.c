/* bench-app.c: launch time, memory and main-loop stalls of the desktop app
 *
 * Three commands (run them under an X server, e.g. bench/bench-app.sh,
 * which starts Xvfb and a private D-Bus session):
 *
 *   bench-app launch [-n N] [--no-preload] COMMAND [ARG...] [--vs COMMAND...]
 *     Starts each COMMAND N times (plus one warm-up start that is not
 *     counted), the commands in turn, so that the load of the moment weighs
 *     on all of them alike; each time with fresh, empty XDG directories (the cache directory is
 *     kept across the launches, as on a desktop), and measures from the
 *     spawn to the MapNotify of its first top-level window (matched by
 *     _NET_WM_PID) on the X server, to its first painted frame (noted by
 *     the LD_PRELOAD module bench-first-frame.so: the first "after-paint"
 *     of the frame clock of the first window the program presents), its
 *     CPU time by then (which the machine's load does not inflate), then
 *     its VmRSS 2 s after that. Prints medians, and for two commands the
 *     medians of the per-round ratios. Works for any GTK 4 program, so
 *     GNOME Text Editor is measured exactly the same way.
 *
 *   bench-app run [-n N] [--judge] [--before=BENCH_APP]
 *     Starts the standalone test provider, then N rounds (plus one warm-up
 *     round that is not counted) of: `bench-app engine` (the same run through
 *     CsRunner alone, nothing drawn), `bench-app app --run=URL` (the real
 *     Consilium application and window, driven through the window's own
 *     code: mode, problem, 8 models checked, the win.run action) and, with
 *     --before, the `app` command of an earlier build's bench-app, so that
 *     before and after are measured side by side under the same load; the
 *     order rotates from round to round. Prints the medians of: the longest
 *     gap of a 1 ms GLib timeout and the longest interval between two
 *     painted frames while the 8 candidates stream (the main-loop stall),
 *     the same over the whole run and the second after it (synthesis, the
 *     result view built, the run saved), and from the end of the streams
 *     to that second's end, the longest of those stalls in the main
 *     thread's CPU time too (what the machine's load does not inflate;
 *     under X the drawing is partly the X server's), the frames painted
 *     per second while streaming, the streaming phase and its ratio to the
 *     engine alone's in the same round, and VmRSS and VmHWM 1 s after the
 *     run.
 *
 *   bench-app engine [--judge]
 *     The run of `app --run` through the engine alone (bench-app-engine.c);
 *     used by `bench-app run`.
 *
 *   bench-app app [--run=URL] [--judge]
 *     The Consilium application itself (what main.c runs) with the probes;
 *     used by `bench-app run`. The mode, question and models are chosen
 *     before the probes start; the run's start is the Run action alone.
 *     With BENCH_APP_FRAMES=1 in the environment, every stall over 16 ms
 *     is written to stderr with its CPU time, the update, layout and
 *     paint times of the frames in it (wall, then the main thread's CPU),
 *     and the CPU time spent measuring labels in it, by the nearest
 *     Consilium widget around them (with BENCH_APP_LABELS=1, by label
 *     text too); so are the run's states and each change of the cards'
 *     width or number a row (with their natural widths).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench-app"

#include "config.h"

#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/Xatom.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "cs-application.h"
#include "cs-window-private.h"
#include "cs-run-page-private.h"
#include "bench-app-private.h"

#define N_CANDIDATES BENCH_APP_N_CANDIDATES
#define CHUNK_MS     10

static const char * const model_names[N_CANDIDATES] = {
  "bench-alpha", "bench-beta", "bench-gamma", "bench-delta",
  "bench-epsilon", "bench-zeta", "bench-eta", "bench-theta",
};

const char *bench_app_problem =
  "Design the backend of a URL shortener that takes 10k redirects per second "
  "and 200 new links per second, never loses a link, and shows click "
  "statistics per link within a minute.";

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
median (GArray *values)
{
  double *v;
  guint n = values->len;

  if (n == 0)
    return -1.0;
  g_array_sort (values, compare_double);
  v = (double *) (gpointer) values->data;
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* A "VmRSS:"-style line of /proc/PID/status in MiB, or -1. */
static double
read_status_mib (const char *pid,
                 const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *status = NULL;
  gsize key_len = strlen (key);

  if (!g_file_get_contents (path, &status, NULL, NULL))
    return -1.0;
  for (const char *line = status; line != NULL && *line != '\0'; )
    {
      const char *eol = strchr (line, '\n');

      if (strncmp (line, key, key_len) == 0 && line[key_len] == ':')
        return g_ascii_strtod (line + key_len + 1, NULL) / 1024.0;
      line = eol != NULL ? eol + 1 : NULL;
    }
  return -1.0;
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1.0;
  return g_ascii_strtod (text, NULL);
}

static char *
model_id (guint i)
{
  guint delay = CHUNK_MS + i / 2 + (i == N_CANDIDATES - 1 ? 3 : 0);

  return g_strdup_printf ("%s+slow=%u", model_names[i], delay);
}

const char *
bench_app_model_id_static (guint i)
{
  static char *ids[N_CANDIDATES];

  g_return_val_if_fail (i < N_CANDIDATES, NULL);
  if (ids[i] == NULL)
    ids[i] = model_id (i);
  return ids[i];
}

static char *
build_config (const char *base_url)
{
  GString *s = g_string_new (NULL);
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < N_CANDIDATES; i++)
    {
      g_autofree char *id = model_id (i);

      g_string_append_printf (names, "%s;", id);
    }
  g_string_append (names, "demo-judge");
  g_string_append_printf (s,
                          "[provider demo]\n"
                          "name=Benchmark\n"
                          "base-url=%s\n"
                          "api=openai-chat\n"
                          "models=%s\n"
                          "max-concurrent=8\n"
                          "requests-per-minute=0\n"
                          "max-retries=0\n",
                          base_url, names->str);
  g_string_free (names, TRUE);
  return g_string_free (s, FALSE);
}

/* Fresh XDG directories (and a providers.ini for @base_url) in @env. */
static char **
fresh_environment (char       **env,
                   const char  *base_url,
                   const char  *cache_dir,
                   char       **out_dir,
                   GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-app-XXXXXX", error);
  static const char * const kinds[] = { "config", "data", "cache", "state", "runtime" };
  static const char * const vars[] = { "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR" };

  if (dir == NULL)
    return NULL;
  if (g_environ_getenv (env, "GSETTINGS_SCHEMA_DIR") == NULL)
    env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", CS_BUILD_SCHEMA_DIR, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *sub = g_build_filename (dir, kinds[i], NULL);

      g_mkdir_with_parents (sub, 0700);
      env = g_environ_setenv (env, vars[i], sub, TRUE);
      if (cache_dir != NULL && g_str_equal (kinds[i], "cache"))
        env = g_environ_setenv (env, vars[i], cache_dir, TRUE);
    }
  if (base_url != NULL)
    {
      g_autofree char *cdir = g_build_filename (dir, "config", "consilium", NULL);
      g_autofree char *path = g_build_filename (cdir, "providers.ini", NULL);
      g_autofree char *ini = build_config (base_url);

      g_mkdir_with_parents (cdir, 0700);
      if (!g_file_set_contents (path, ini, -1, error))
        return NULL;
    }
  *out_dir = g_steal_pointer (&dir);
  return env;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) e = NULL;
  GFileInfo *info;

  e = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          g_autofree char *child_path = g_file_get_path (child);

          remove_tree (child_path);
        }
      else
        g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_file_delete (file, NULL, NULL);
}

/* A "key=value" line of @text as a double, or -1. */
static double
lookup (const char *text,
        const char *key)
{
  g_autofree char *needle = g_strdup_printf ("%s=", key);
  const char *p = text;

  while (p != NULL && (p = strstr (p, needle)) != NULL)
    {
      if (p == text || p[-1] == '\n')
        return g_ascii_strtod (p + strlen (needle), NULL);
      p++;
    }
  return -1.0;
}

/* ------------------------------------------------------------------------ */
/* bench-app app: the application with its probes                           */
/* ------------------------------------------------------------------------ */

/* When a frame's phases ended (BENCH_APP_FRAMES=1: stalls are logged with
 * the frames in them, on stderr). */
typedef struct {
  gint64 before, update, layout, paint, end;
  gint64 cpu_before, cpu_update, cpu_layout, cpu_paint;
} FramePhases;

/* The main thread's CPU time in µs: unlike the wall clock, what the
 * machine's load does not inflate. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

#define FRAME_RING 16

typedef struct {
  CsApplication *app;
  CsWindow      *window;
  const char    *run_url;
  gboolean       judge;
  gboolean       first_frame_done;
  gboolean       started;
  gboolean       idle;          /* the baseline window before the run */
  gint64         gap_idle_us;

  /* probes */
  CsRun         *run;
  gboolean       streaming;
  gboolean       finished;
  gint64         last_tick_us;
  gint64         last_frame_us;
  gint64         gap_stream_us;
  gint64         gap_stream_at_us; /* when the longest streaming stall ended */
  gint64         gap_all_us;
  gint64         gap_end_us;    /* after the streams ended */
  gint64         last_tick_cpu_us;
  gint64         cpu_stream_us; /* the most CPU time between two ticks */
  gint64         cpu_end_us;
  gint64         frame_stream_us;
  gint64         frame_all_us;
  guint          frames_stream;
  gint64         stream_start_us;
  gint64         stream_end_us;
  gint64         end_us;

  gboolean       log_frames;
  FramePhases    frame;
  FramePhases    frames[FRAME_RING];
  guint          n_frames;
} AppProbe;

/* BENCH_APP_FRAMES=1: where labels are measured. GtkLabel's measure is
 * wrapped, its main-thread CPU time added up by the nearest Consilium
 * widget around the label, and a stall's log line names the most costly. */
typedef struct {
  guint  calls;
  gint64 cpu_us;
} MeasureCost;

static void (*label_measure_orig) (GtkWidget *, GtkOrientation, int, int *, int *, int *, int *);
static GHashTable *measure_costs;   /* owner type name → MeasureCost */
static guint measure_depth;

static void
label_measure_probe (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  gint64 start = thread_cpu_us ();
  const char *owner = "other";
  MeasureCost *cost;

  measure_depth++;
  label_measure_orig (widget, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
  measure_depth--;
  if (measure_depth > 0)
    return;
  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    if (g_str_has_prefix (G_OBJECT_TYPE_NAME (w), "Cs"))
      {
        owner = G_OBJECT_TYPE_NAME (w);
        break;
      }
  if (g_getenv ("BENCH_APP_LABELS") != NULL)
    {
      g_autofree char *key = g_strdup_printf ("%s \"%.24s\"", owner, gtk_label_get_text (GTK_LABEL (widget)));

      owner = g_intern_string (key);
    }
  if ((cost = g_hash_table_lookup (measure_costs, owner)) == NULL)
    g_hash_table_insert (measure_costs, (gpointer) owner, (cost = g_new0 (MeasureCost, 1)));
  cost->calls++;
  cost->cpu_us += thread_cpu_us () - start;
}

static void
measure_probe_install (void)
{
  GtkWidgetClass *klass = g_type_class_ref (GTK_TYPE_LABEL);

  measure_costs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  label_measure_orig = klass->measure;
  klass->measure = label_measure_probe;
}

static void
measure_probe_log (void)
{
  GHashTableIter iter;
  const char *owner;
  MeasureCost *cost;

  if (measure_costs == NULL)
    return;
  g_hash_table_iter_init (&iter, measure_costs);
  while (g_hash_table_iter_next (&iter, (gpointer *) &owner, (gpointer *) &cost))
    if (cost->cpu_us >= 500)
      g_printerr ("    labels measured in %s: %u calls, %.1f ms CPU\n", owner, cost->calls, cost->cpu_us / 1000.0);
}

static void
measure_probe_reset (void)
{
  if (measure_costs != NULL)
    g_hash_table_remove_all (measure_costs);
}

static void
log_stall (AppProbe *p,
           gint64    now,
           gint64    cpu)
{
  g_printerr ("stall %.1f ms (CPU %.1f ms) at %.3f s, %.0f ms into the run%s; its frames (update, layout, paint ms; CPU):",
              (now - p->last_tick_us) / 1000.0, (cpu - p->last_tick_cpu_us) / 1000.0, p->last_tick_us / 1e6, (p->last_tick_us - p->stream_start_us) / 1000.0,
              p->streaming ? " (streaming)" : "");
  for (guint i = p->n_frames > FRAME_RING ? p->n_frames - FRAME_RING : 0; i < p->n_frames; i++)
    {
      const FramePhases *f = &p->frames[i % FRAME_RING];

      if (f->end > p->last_tick_us)
        g_printerr (" [%.1f %.1f %.1f; %.1f %.1f %.1f]", (f->update - f->before) / 1000.0,
                    (f->layout - f->update) / 1000.0, (f->paint - f->layout) / 1000.0,
                    (f->cpu_update - f->cpu_before) / 1000.0,
                    (f->cpu_layout - f->cpu_update) / 1000.0, (f->cpu_paint - f->cpu_layout) / 1000.0);
    }
  g_printerr ("\n");
}

static void
before_paint_cb (GdkFrameClock *clock,
                 AppProbe      *p)
{
  p->frame.before = g_get_monotonic_time ();
  p->frame.cpu_before = thread_cpu_us ();
}

static void
update_cb (GdkFrameClock *clock,
           AppProbe      *p)
{
  p->frame.update = g_get_monotonic_time ();
  p->frame.cpu_update = thread_cpu_us ();
}

static void
layout_cb (GdkFrameClock *clock,
           AppProbe      *p)
{
  p->frame.layout = g_get_monotonic_time ();
  p->frame.cpu_layout = thread_cpu_us ();
}

static void
paint_cb (GdkFrameClock *clock,
          AppProbe      *p)
{
  p->frame.paint = g_get_monotonic_time ();
  p->frame.cpu_paint = thread_cpu_us ();
}

static gboolean
probe_tick_cb (gpointer user_data)
{
  AppProbe *p = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();

  if (p->idle && p->last_tick_us > 0)
    p->gap_idle_us = MAX (p->gap_idle_us, now - p->last_tick_us);
  if (p->started && !p->finished && p->last_tick_us > 0)
    {
      if (p->streaming && now - p->last_tick_us > p->gap_stream_us)
        {
          p->gap_stream_us = now - p->last_tick_us;
          p->gap_stream_at_us = now;
        }
      p->gap_all_us = MAX (p->gap_all_us, now - p->last_tick_us);
      if (p->streaming)
        p->cpu_stream_us = MAX (p->cpu_stream_us, cpu - p->last_tick_cpu_us);
      else
        {
          p->gap_end_us = MAX (p->gap_end_us, now - p->last_tick_us);
          p->cpu_end_us = MAX (p->cpu_end_us, cpu - p->last_tick_cpu_us);
        }
      if (p->log_frames && now - p->last_tick_us > 16000)
        {
          log_stall (p, now, cpu);
          measure_probe_log ();
        }
    }
  measure_probe_reset ();
  p->last_tick_us = now;
  p->last_tick_cpu_us = cpu;
  return G_SOURCE_CONTINUE;
}

static void
run_state_cb (CsRun      *run,
              GParamSpec *pspec,
              AppProbe   *p)
{
  CsRunState state = cs_run_get_state (run);

  if (p->log_frames)
    g_printerr ("run %s, %.0f ms into the run\n", cs_run_state_to_string (state),
                (g_get_monotonic_time () - p->stream_start_us) / 1000.0);
  if (p->streaming && state != CS_RUN_RUNNING)
    {
      p->streaming = FALSE;
      p->stream_end_us = g_get_monotonic_time ();
    }
}

static gboolean
report_cb (gpointer user_data)
{
  AppProbe *p = user_data;
  const char *renderer = "unknown";
  GskRenderer *r = gtk_native_get_renderer (GTK_NATIVE (p->window));
  double stream_s = (p->stream_end_us - p->stream_start_us) / 1e6;

  if (r != NULL)
    renderer = G_OBJECT_TYPE_NAME (r);
  p->finished = TRUE;
  printf ("renderer=%s\n", renderer);
  printf ("run-state=%s\n", cs_run_state_to_string (cs_run_get_state (p->run)));
  printf ("stall-stream-ms=%.1f\n", p->gap_stream_us / 1000.0);
  printf ("stall-stream-start-ms=%.0f\n", (p->gap_stream_at_us - p->gap_stream_us - p->stream_start_us) / 1000.0);
  printf ("stall-all-ms=%.1f\n", p->gap_all_us / 1000.0);
  printf ("stall-end-ms=%.1f\n", p->gap_end_us / 1000.0);
  printf ("stall-stream-cpu-ms=%.1f\n", p->cpu_stream_us / 1000.0);
  printf ("stall-end-cpu-ms=%.1f\n", p->cpu_end_us / 1000.0);
  printf ("stall-idle-ms=%.1f\n", p->gap_idle_us / 1000.0);
  printf ("frame-gap-stream-ms=%.1f\n", p->frame_stream_us / 1000.0);
  printf ("frame-gap-all-ms=%.1f\n", p->frame_all_us / 1000.0);
  printf ("fps-stream=%.1f\n", stream_s > 0 ? p->frames_stream / stream_s : 0.0);
  printf ("stream-ms=%.0f\n", stream_s * 1000.0);
  printf ("synthesis-ms=%.0f\n", (p->end_us - p->stream_end_us) / 1000.0);
  printf ("rss-after-run-mib=%.1f\n", read_status_mib ("self", "VmRSS"));
  printf ("hwm-mib=%.1f\n", read_status_mib ("self", "VmHWM"));
  fflush (stdout);
  g_application_quit (G_APPLICATION (p->app));
  return G_SOURCE_REMOVE;
}

static gboolean
wait_run_cb (gpointer user_data)
{
  AppProbe *p = user_data;

  if (_cs_window_is_running (p->window))
    return G_SOURCE_CONTINUE;

  /* the probes go on for the second before the report: the end of a run
   * (the result view built over several frames, the run saved) is part of
   * "the whole run" */
  p->end_us = g_get_monotonic_time ();
  if (p->streaming)
    {
      p->streaming = FALSE;
      p->stream_end_us = p->end_us;
    }
  /* let the result view settle, then read the memory */
  g_timeout_add (1000, report_cb, p);
  return G_SOURCE_REMOVE;
}

/* The run starts as the user starts one: the mode, question and models
 * chosen before (not timed), then the Run action alone. */
static gboolean
start_run_cb (gpointer user_data)
{
  AppProbe *p = user_data;

  p->idle = FALSE;
  p->streaming = TRUE;
  p->started = TRUE;
  p->stream_start_us = g_get_monotonic_time ();
  if (!gtk_widget_activate_action (GTK_WIDGET (p->window), "win.run", NULL) ||
      (p->run = _cs_window_get_run (p->window)) == NULL)
    {
      g_printerr ("bench-app: the run did not start\n");
      exit (1);
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (p->run)) != N_CANDIDATES)
    {
      g_printerr ("bench-app: the run has %u candidates, not %u\n",
                  g_list_model_get_n_items (G_LIST_MODEL (p->run)), N_CANDIDATES);
      exit (1);
    }
  g_object_ref (p->run);
  g_signal_connect (p->run, "notify::state", G_CALLBACK (run_state_cb), p);
  g_timeout_add (20, wait_run_cb, p);
  return G_SOURCE_REMOVE;
}

static void
compose_run (AppProbe *p)
{
  g_autoptr(GPtrArray) models = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < N_CANDIDATES; i++)
    {
      g_autofree char *id = model_id (i);

      g_ptr_array_add (models, g_strdup_printf ("demo/%s", id));
    }
  g_ptr_array_add (models, NULL);

  _cs_window_set_mode (p->window, "architect");
  gtk_text_buffer_set_text (_cs_window_get_problem_buffer (p->window), bench_app_problem, -1);
  _cs_window_select_models (p->window, (const char * const *) models->pdata);
  if (p->judge)
    _cs_window_select_judge (p->window, "demo/demo-judge");
}

/* The probe runs for 2 s with the window idle first: the longest gap then
 * is what the machine's load alone costs. */
static gboolean
start_idle_cb (gpointer user_data)
{
  AppProbe *p = user_data;

  compose_run (p);
  p->idle = TRUE;
  g_timeout_add (1, probe_tick_cb, p);
  g_timeout_add (2000, start_run_cb, p);
  return G_SOURCE_REMOVE;
}

/* BENCH_APP_FRAMES=1: the cards' width and number a row when they change
 * (the page laid out again), with their natural widths. */
static void
log_card_columns (AppProbe *p,
                  gint64    now)
{
  static int last_width = -1, last_columns = -1;
  GtkWidget *flow = GTK_WIDGET (_cs_window_get_run_page (p->window)->candidates_flow);
  GtkWidget *first = gtk_widget_get_first_child (flow);
  int columns = 0, width = first != NULL ? gtk_widget_get_width (first) : -1;

  for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      graphene_rect_t bounds;

      if (gtk_widget_compute_bounds (c, flow, &bounds) && bounds.origin.y < 1)
        columns++;
    }
  if (width == last_width && columns == last_columns)
    return;
  last_width = width;
  last_columns = columns;
  if (first == NULL)
    return;
  g_printerr ("cards %d px wide, %d a row (flow box %d px), %.0f ms into the run; natural widths",
              width, columns, gtk_widget_get_width (flow), (now - p->stream_start_us) / 1000.0);
  for (GtkWidget *c = first; c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      int min, nat;

      gtk_widget_measure (c, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
      g_printerr (" %d", nat);
    }
  g_printerr ("\n");
}

static void
after_paint_cb (GdkFrameClock *clock,
                AppProbe      *p)
{
  gint64 now = g_get_monotonic_time ();

  if (!p->first_frame_done)
    {
      p->first_frame_done = TRUE;
      printf ("first-frame-us=%" G_GINT64_FORMAT "\n", now);
      fflush (stdout);
      if (p->run_url != NULL)
        g_timeout_add (500, start_idle_cb, p);
    }

  if (p->started && !p->finished && p->last_frame_us > 0)
    {
      if (p->streaming)
        {
          p->frame_stream_us = MAX (p->frame_stream_us, now - p->last_frame_us);
          p->frames_stream++;
        }
      p->frame_all_us = MAX (p->frame_all_us, now - p->last_frame_us);
    }
  if (p->log_frames && p->window != NULL)
    log_card_columns (p, now);
  p->last_frame_us = now;
  p->frame.end = now;
  p->frames[p->n_frames++ % FRAME_RING] = p->frame;
}

static void
window_realize_cb (GtkWidget *widget,
                   AppProbe  *p)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock == NULL)
    return;
  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), p);
  /* after GTK's own handlers: when each phase ended */
  g_signal_connect_after (clock, "before-paint", G_CALLBACK (before_paint_cb), p);
  g_signal_connect_after (clock, "update", G_CALLBACK (update_cb), p);
  g_signal_connect_after (clock, "layout", G_CALLBACK (layout_cb), p);
  g_signal_connect_after (clock, "paint", G_CALLBACK (paint_cb), p);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 AppProbe       *p)
{
  if (p->window != NULL || !CS_IS_WINDOW (window))
    return;
  p->window = CS_WINDOW (window);
  g_signal_connect_after (window, "realize", G_CALLBACK (window_realize_cb), p);
}

static int
app_main (int   argc,
          char *argv[])
{
  g_autofree char *run_url = NULL;
  gboolean judge = FALSE;
  const GOptionEntry entries[] = {
    { "run", 0, 0, G_OPTION_ARG_STRING, &run_url, "Run 8 candidates (the providers.ini must list them)", "URL" },
    { "judge", 0, 0, G_OPTION_ARG_NONE, &judge, "With the demo judge", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- the app with probes");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsApplication) app = NULL;
  AppProbe p = { 0 };
  char *app_argv[] = { argv[0], NULL };
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* what main.c does */
  setlocale (LC_ALL, "");
  app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  p.app = app;
  p.run_url = run_url;
  p.judge = judge;
  p.log_frames = g_strcmp0 (g_getenv ("BENCH_APP_FRAMES"), "1") == 0;
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), &p);
  if (p.log_frames)
    g_signal_connect_swapped (app, "startup", G_CALLBACK (measure_probe_install), NULL);
  status = g_application_run (G_APPLICATION (app), 1, app_argv);
  g_clear_object (&p.run);
  return status;
}

/* ------------------------------------------------------------------------ */
/* bench-app launch                                                         */
/* ------------------------------------------------------------------------ */

static gboolean
window_has_pid (Display *dpy,
                Window   win,
                gulong   pid)
{
  Atom pid_atom = XInternAtom (dpy, "_NET_WM_PID", True);
  Atom type;
  int format;
  unsigned long n, after;
  unsigned char *data = NULL;
  gboolean match = FALSE;

  if (pid_atom == None)
    return FALSE;
  if (XGetWindowProperty (dpy, win, pid_atom, 0, 1, False, XA_CARDINAL,
                          &type, &format, &n, &after, &data) == Success &&
      data != NULL && type == XA_CARDINAL && format == 32 && n == 1)
    match = *(unsigned long *) (gpointer) data == pid;
  if (data != NULL)
    XFree (data);
  return match;
}

static int
ignore_x_errors (Display     *dpy,
                 XErrorEvent *ev)
{
  return 0;  /* a window may be gone before we look at it */
}

typedef struct {
  Display *dpy;
  char    *cache_dir;       /* XDG_CACHE_HOME kept across launches (shader and font caches) */
  char    *preload;         /* the bench-first-frame module, or NULL */
} Launcher;

typedef struct {
  double map_ms;            /* spawn to MapNotify of its top-level window */
  double frame_ms;          /* spawn to its first painted frame (after-paint) */
  double cpu_ms;            /* its CPU time (user + system, all threads) by then */
  double rss_mib;           /* VmRSS 2 s after that */
} Launch;

/* utime + stime of /proc/PID/stat in ms, or -1. */
static double
read_cpu_ms (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *p;
  long ticks = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (p = strrchr (stat, ')')) == NULL || ticks <= 0)
    return -1.0;
  /* after "pid (comm)": state is field 3, utime 14 and stime 15 */
  fields = g_strsplit (p + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return -1.0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) * 1000.0 / ticks;
}

/* Spawns @argv and measures one launch into @l. */
static gboolean
launch_once (Launcher  *lc,
             char     **argv,
             Launch    *l,
             GError   **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *dir = NULL;
  g_autofree char *frame_file = NULL;
  g_autofree char *frame_text = NULL;
  g_autofree char *pid_str = NULL;
  const char *id;
  gint64 t0, t_map = 0, deadline;
  gulong pid;

  l->map_ms = l->frame_ms = l->cpu_ms = l->rss_mib = -1.0;
  env = fresh_environment (g_steal_pointer (&env), "http://127.0.0.1:9/v1", lc->cache_dir, &dir, error);
  if (env == NULL)
    return FALSE;
  frame_file = g_build_filename (dir, "first-frame", NULL);
  if (lc->preload != NULL)
    {
      env = g_environ_setenv (env, "LD_PRELOAD", lc->preload, TRUE);
      env = g_environ_setenv (env, "BENCH_FIRST_FRAME_FILE", frame_file, TRUE);
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_environ (launcher, env);

  XSelectInput (lc->dpy, DefaultRootWindow (lc->dpy), SubstructureNotifyMask);
  XSync (lc->dpy, True);   /* drop older events */

  t0 = g_get_monotonic_time ();
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, error);
  if (proc == NULL)
    return FALSE;
  id = g_subprocess_get_identifier (proc);
  pid = g_ascii_strtoull (id, NULL, 10);
  pid_str = g_strdup (id);

  deadline = t0 + 60 * G_USEC_PER_SEC;
  while (t_map == 0 && g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { ConnectionNumber (lc->dpy), POLLIN, 0 };

      while (XPending (lc->dpy) > 0)
        {
          XEvent ev;

          XNextEvent (lc->dpy, &ev);
          if (ev.type == MapNotify && t_map == 0 && window_has_pid (lc->dpy, ev.xmap.window, pid))
            t_map = g_get_monotonic_time ();
        }
      if (t_map == 0)
        poll (&pfd, 1, 20);
    }

  /* the first frame (written by the preloaded module), then the memory
   * once it has settled */
  while (lc->preload != NULL && t_map != 0 && g_get_monotonic_time () < deadline &&
         !g_file_get_contents (frame_file, &frame_text, NULL, NULL))
    g_usleep (5000);
  l->cpu_ms = read_cpu_ms (pid_str);
  g_usleep (2 * G_USEC_PER_SEC);
  l->rss_mib = read_status_mib (pid_str, "VmRSS");

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
  remove_tree (dir);

  if (t_map == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s mapped no window in 60 s", argv[0]);
      return FALSE;
    }
  l->map_ms = (t_map - t0) / 1000.0;
  if (frame_text != NULL && g_ascii_strtoll (frame_text, NULL, 10) > t0)
    l->frame_ms = (g_ascii_strtoll (frame_text, NULL, 10) - t0) / 1000.0;
  return TRUE;
}

static double
ratio_median (GArray *a,
              GArray *b)
{
  g_autoptr(GArray) r = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < MIN (a->len, b->len); i++)
    {
      double x = g_array_index (a, double, i);
      double y = g_array_index (b, double, i);

      if (x > 0 && y > 0)
        {
          double v = x / y;

          g_array_append_val (r, v);
        }
    }
  return median (r);
}

typedef struct {
  char   **argv;     /* borrowed */
  char    *name;
  GArray  *map;      /* in launch order: pairs stay aligned for the ratios */
  GArray  *frame;
  GArray  *cpu;
  GArray  *rss;
} Program;

static int
launch_main (int   argc,
             char *argv[])
{
  int rounds = 7;
  gboolean no_preload = FALSE;
  const GOptionEntry entries[] = {
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Measured launches of each program (default: 7)", "N" },
    { "no-preload", 0, 0, G_OPTION_ARG_NONE, &no_preload, "Do not preload the first-frame module (map time only)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND [ARG...] [--vs COMMAND [ARG...]]... - time to the first frame");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) programs = g_ptr_array_new ();
  Launcher lc = { 0 };
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || rounds < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bench-app launch [-n N] [--no-preload] COMMAND [ARG...] [--vs COMMAND [ARG...]]...");
      return 2;
    }

  /* the commands, separated by --vs; launched in turn, each round in
   * another order, so that the load of the moment weighs on all alike */
  for (int i = 1; i < argc; )
    {
      int j = i;

      while (j < argc && !g_str_equal (argv[j], "--vs"))
        j++;
      if (j > i)
        {
          Program *prog = g_new0 (Program, 1);

          prog->argv = argv + i;
          prog->name = g_path_get_basename (argv[i]);
          prog->map = g_array_new (FALSE, FALSE, sizeof (double));
          prog->frame = g_array_new (FALSE, FALSE, sizeof (double));
          prog->cpu = g_array_new (FALSE, FALSE, sizeof (double));
          prog->rss = g_array_new (FALSE, FALSE, sizeof (double));
          g_ptr_array_add (programs, prog);
        }
      if (j < argc)
        argv[j] = NULL;   /* ends the command before it */
      i = j + 1;
    }
  if (programs->len == 0)
    {
      g_printerr ("No command to launch\n");
      return 2;
    }

  lc.dpy = XOpenDisplay (NULL);
  if (lc.dpy == NULL)
    {
      g_printerr ("Cannot open the X display (run under Xvfb: bench/bench-app.sh)\n");
      return 2;
    }
  XSetErrorHandler (ignore_x_errors);
  if (!no_preload)
    {
      const char *module = g_getenv ("BENCH_FIRST_FRAME_MODULE");

      lc.preload = g_strdup (module != NULL ? module : CS_BENCH_FIRST_FRAME_MODULE);
      if (!g_file_test (lc.preload, G_FILE_TEST_EXISTS))
        {
          g_printerr ("No %s: build bench/bench-first-frame.so or pass --no-preload\n", lc.preload);
          return 2;
        }
    }
  lc.cache_dir = g_dir_make_tmp ("bench-app-cache-XXXXXX", &error);
  if (lc.cache_dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  for (int round = 0; round <= rounds && status == 0; round++)
    for (guint k = 0; k < programs->len && status == 0; k++)
      {
        Program *prog = g_ptr_array_index (programs, (k + round) % programs->len);
        Launch l;

        if (!launch_once (&lc, prog->argv, &l, &error))
          {
            g_printerr ("%s\n", error->message);
            status = 1;
            break;
          }
        if (round == 0)
          continue;   /* warm-up: disk, font and shader caches */
        printf ("  %s launch %d: window mapped %.0f ms, first frame %.0f ms (CPU %.0f ms), RSS %.1f MiB\n",
                prog->name, round, l.map_ms, l.frame_ms, l.cpu_ms, l.rss_mib);
        fflush (stdout);
        g_array_append_val (prog->map, l.map_ms);
        g_array_append_val (prog->frame, l.frame_ms);
        g_array_append_val (prog->cpu, l.cpu_ms);
        g_array_append_val (prog->rss, l.rss_mib);
      }

  for (guint k = 0; k < programs->len && status == 0; k++)
    {
      Program *prog = g_ptr_array_index (programs, k);

      printf ("%s: launch to first mapped window: %.0f ms (median of %d)\n", prog->name, median (prog->map), rounds);
      if (lc.preload != NULL)
        printf ("%s: launch to first frame: %.0f ms (median of %d; the first after-paint of its window)\n",
                prog->name, median (prog->frame), rounds);
      if (lc.preload != NULL)
        printf ("%s: CPU time to first frame: %.0f ms (median of %d; user + system, all threads)\n",
                prog->name, median (prog->cpu), rounds);
      printf ("%s: RSS 2 s after the first frame: %.1f MiB (median of %d)\n", prog->name, median (prog->rss), rounds);
    }
  if (programs->len == 2 && status == 0)
    {
      Program *a = g_ptr_array_index (programs, 0);
      Program *b = g_ptr_array_index (programs, 1);

      printf ("%s/%s: first frame %.2f, CPU to first frame %.2f, mapped %.2f, RSS %.2f "
              "(medians of the %d per-round ratios)\n",
              a->name, b->name, ratio_median (a->frame, b->frame), ratio_median (a->cpu, b->cpu),
              ratio_median (a->map, b->map), ratio_median (a->rss, b->rss), rounds);
    }
  printf ("machine: %u CPUs, load average %.2f\n", g_get_num_processors (), load_average ());

  for (guint k = 0; k < programs->len; k++)
    {
      Program *prog = g_ptr_array_index (programs, k);

      g_free (prog->name);
      g_array_unref (prog->map);
      g_array_unref (prog->frame);
      g_array_unref (prog->cpu);
      g_array_unref (prog->rss);
      g_free (prog);
    }
  remove_tree (lc.cache_dir);
  g_free (lc.cache_dir);
  g_free (lc.preload);
  XCloseDisplay (lc.dpy);
  return status;
}

/* ------------------------------------------------------------------------ */
/* bench-app run                                                            */
/* ------------------------------------------------------------------------ */

static char *
start_provider (GSubprocess **out_proc,
                GError      **error)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-app-provider-XXXXXX", error);
  g_autofree char *port_file = NULL;
  g_autofree char *port_arg = NULL;
  g_autofree char *contents = NULL;
  const char *path = g_getenv ("CONSILIUM_TEST_PROVIDER");
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (dir == NULL)
    return NULL;
  if (path == NULL)
    path = CS_TEST_PROVIDER_PATH;
  port_file = g_build_filename (dir, "port", NULL);
  port_arg = g_strdup_printf ("--port-file=%s", port_file);
  *out_proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, error, path, port_arg, NULL);
  if (*out_proc == NULL)
    return NULL;
  while (!g_file_get_contents (port_file, &contents, NULL, NULL) || strchr (contents, '\n') == NULL)
    {
      g_clear_pointer (&contents, g_free);
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s did not write its port", path);
          return NULL;
        }
      g_usleep (20000);
    }
  g_unlink (port_file);
  g_rmdir (dir);
  return g_strdup_printf ("http://127.0.0.1:%u/v1", (guint) g_ascii_strtoull (contents, NULL, 10));
}

/* What one kind of run is: the engine alone, this app, or the app of an
 * earlier build (another bench-app binary, for before/after figures). */
typedef enum { VARIANT_ENGINE, VARIANT_APP, VARIANT_BEFORE, N_VARIANTS } Variant;

static const char * const run_keys[] = {
  "stall-stream-ms", "frame-gap-stream-ms", "fps-stream", "stall-all-ms", "frame-gap-all-ms",
  "stream-ms", "synthesis-ms", "rss-after-run-mib", "hwm-mib", "stall-idle-ms", "stall-end-ms",
  "stall-stream-cpu-ms", "stall-end-cpu-ms",
};
enum { K_STALL, K_FRAME, K_FPS, K_STALL_ALL, K_FRAME_ALL, K_STREAM, K_SYNTH, K_RSS, K_HWM, K_IDLE, K_END, K_CPU_STREAM, K_CPU_END, N_KEYS };

typedef struct {
  GArray *values[N_VARIANTS][N_KEYS];
  GArray *ratio[N_VARIANTS];          /* stream-ms / the engine's of the same round */
  char   *renderer;
} RunTable;

/* Runs `BINARY SUBCOMMAND --run=URL [--judge]` in fresh XDG directories and
 * returns its key=value output, or NULL. */
static char *
run_child (const char  *binary,
           const char  *subcommand,
           const char  *url,
           gboolean     judge,
           GError     **error)
{
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *run_arg = g_strdup_printf ("--run=%s", url);
  gboolean engine = g_str_equal (subcommand, "engine");
  const char *child_argv[] = { binary, subcommand, engine ? (judge ? "--judge" : NULL) : run_arg,
                               engine ? NULL : (judge ? "--judge" : NULL), NULL };

  env = fresh_environment (g_steal_pointer (&env), url, NULL, &dir, error);
  if (env == NULL)
    return NULL;
  g_subprocess_launcher_set_environ (launcher, env);
  proc = g_subprocess_launcher_spawnv (launcher, child_argv, error);
  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, error))
    return NULL;
  remove_tree (dir);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0 ||
      out == NULL || strstr (out, "run-state=done") == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: the run did not finish well:\n%s",
                   binary, subcommand, out != NULL ? out : "");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static void
print_round (int         round,
             Variant     v,
             const char *out,
             double      ratio)
{
  if (v == VARIANT_ENGINE)
    printf ("  run %d, engine alone: streaming %.0f ms, stall %.1f ms\n",
            round, lookup (out, "stream-ms"), lookup (out, "stall-stream-ms"));
  else
    printf ("  run %d, %s: streaming %.0f ms (%.2f x the engine's), stall %.1f ms (from %.0f ms into the run), "
            "frame gap %.1f ms, %.0f fps while streaming; with synthesis %.1f ms; after the streams %.1f ms; CPU %.1f / %.1f ms; idle %.1f ms; RSS %.1f MiB\n",
            round, v == VARIANT_APP ? "app" : "app before", lookup (out, "stream-ms"), ratio,
            lookup (out, "stall-stream-ms"), lookup (out, "stall-stream-start-ms"), lookup (out, "frame-gap-stream-ms"),
            lookup (out, "fps-stream"), lookup (out, "stall-all-ms"), lookup (out, "stall-end-ms"),
            lookup (out, "stall-stream-cpu-ms"), lookup (out, "stall-end-cpu-ms"), lookup (out, "stall-idle-ms"),
            lookup (out, "rss-after-run-mib"));
  fflush (stdout);
}

/* One round: every variant once, in an order that rotates with the round so
 * that no variant always runs first (the machine's load drifts). */
static gboolean
run_round (RunTable    *t,
           int          round,
           gboolean     warm_up,
           const char  *self_path,
           const char  *before,
           const char  *url,
           gboolean     judge,
           GError     **error)
{
  char *outs[N_VARIANTS] = { NULL, NULL, NULL };
  guint n = before != NULL ? 3 : 2;
  gboolean ok = TRUE;

  for (guint k = 0; k < n && ok; k++)
    {
      Variant v = (Variant) ((k + (guint) round) % n);
      const char *binary = v == VARIANT_BEFORE ? before : self_path;

      outs[v] = run_child (binary, v == VARIANT_ENGINE ? "engine" : "app", url, judge, error);
      ok = outs[v] != NULL;
    }
  if (ok && t->renderer == NULL && strstr (outs[VARIANT_APP], "renderer=") != NULL)
    {
      const char *r = strstr (outs[VARIANT_APP], "renderer=") + 9;

      t->renderer = g_strndup (r, strcspn (r, "\n"));
    }
  for (guint v = 0; ok && !warm_up && v < n; v++)
    {
      double ratio = lookup (outs[v], "stream-ms") / lookup (outs[VARIANT_ENGINE], "stream-ms");

      print_round (round, (Variant) v, outs[v], ratio);
      g_array_append_val (t->ratio[v], ratio);
      for (guint k = 0; k < N_KEYS; k++)
        {
          double value = lookup (outs[v], run_keys[k]);

          g_array_append_val (t->values[v][k], value);
        }
    }
  for (guint v = 0; v < N_VARIANTS; v++)
    g_free (outs[v]);
  return ok;
}

static void
print_variant (RunTable *t,
               Variant   v)
{
  const char *who = v == VARIANT_APP ? "app" : "app before";
  GArray **x = t->values[v];

  printf ("%s: longest main-loop stall while 8 stream: %.1f ms (1 ms timer probe)\n", who, median (x[K_STALL]));
  printf ("%s: longest interval between frames while 8 stream: %.1f ms (%.0f frames/s)\n",
          who, median (x[K_FRAME]), median (x[K_FPS]));
  printf ("%s: longest main-loop stall over the whole run and the second after it (synthesis, result view, save): %.1f ms (frames: %.1f ms)\n",
          who, median (x[K_STALL_ALL]), median (x[K_FRAME_ALL]));
  printf ("%s: longest main-loop stall from the end of the streams to 1 s after the run (the last cards, result view, save): %.1f ms\n",
          who, median (x[K_END]));
  printf ("%s: the same two stalls in the main thread's CPU time (what the load does not inflate): %.1f ms while 8 stream, %.1f ms after\n",
          who, median (x[K_CPU_STREAM]), median (x[K_CPU_END]));
  printf ("%s: longest gap of the same probe with the window idle for 2 s before the run: %.1f ms (the load alone)\n",
          who, median (x[K_IDLE]));
  printf ("%s: streaming phase %.0f ms, synthesis %.0f ms\n", who, median (x[K_STREAM]), median (x[K_SYNTH]));
  printf ("%s: streaming phase / the engine alone's in the same round: %.2f (median of the per-round ratios; ideal 1.0)\n",
          who, median (t->ratio[v]));
  printf ("%s: RSS 1 s after a run of 8 candidates: %.1f MiB (peak %.1f MiB)\n",
          who, median (x[K_RSS]), median (x[K_HWM]));
}

static int
run_main (int   argc,
          char *argv[])
{
  int rounds = 5;
  gboolean judge = FALSE;
  g_autofree char *before = NULL;
  const GOptionEntry entries[] = {
    { "rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Measured rounds (default: 5)", "N" },
    { "judge", 0, 0, G_OPTION_ARG_NONE, &judge, "With the demo judge", NULL },
    { "before", 0, 0, G_OPTION_ARG_FILENAME, &before, "The bench-app of an earlier build: its app runs too, in turn", "BENCH_APP" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- 8 candidates streaming in the app, and through the engine alone");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) provider = NULL;
  g_autofree char *url = NULL;
  g_autofree char *self_path = NULL;
  RunTable t = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rounds < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "bad --rounds");
      return 2;
    }
  url = start_provider (&provider, &error);
  if (url == NULL)
    {
      g_printerr ("Cannot start the test provider: %s\n", error->message);
      return 1;
    }
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      t.ratio[v] = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint k = 0; k < N_KEYS; k++)
        t.values[v][k] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  for (int i = 0; i <= rounds && error == NULL; i++)
    run_round (&t, i, i == 0, self_path != NULL ? self_path : argv[0], before, url, judge, &error);
  g_subprocess_force_exit (provider);
  if (error != NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  printf ("app-run (%d candidates%s, renderer %s, medians of %d rounds, each round the engine alone, the app%s in turn):\n",
          N_CANDIDATES, judge ? ", with a judge" : ", no judge", t.renderer ? t.renderer : "unknown", rounds,
          before != NULL ? " and the app before" : "");
  printf ("engine alone: streaming phase %.0f ms, longest main-loop stall %.1f ms\n",
          median (t.values[VARIANT_ENGINE][K_STREAM]), median (t.values[VARIANT_ENGINE][K_STALL]));
  print_variant (&t, VARIANT_APP);
  if (before != NULL)
    print_variant (&t, VARIANT_BEFORE);
  printf ("machine: %u CPUs, load average %.2f\n", g_get_num_processors (), load_average ());
  for (guint v = 0; v < N_VARIANTS; v++)
    {
      g_array_unref (t.ratio[v]);
      for (guint k = 0; k < N_KEYS; k++)
        g_array_unref (t.values[v][k]);
    }
  g_free (t.renderer);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 2 && g_str_equal (argv[1], "app"))
    return app_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "launch"))
    return launch_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "run"))
    return run_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "engine"))
    return bench_app_engine_main (argc - 1, argv + 1);

  g_printerr ("Usage: bench-app launch [-n N] [--no-preload] COMMAND [ARG...] [--vs COMMAND [ARG...]]...\n"
              "       bench-app run [-n N] [--judge] [--before=BENCH_APP]\n"
              "       bench-app engine [--judge]\n"
              "       bench-app app [--run=URL] [--judge]\n");
  return 2;
}
