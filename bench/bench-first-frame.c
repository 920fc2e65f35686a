/* bench-first-frame.c: an LD_PRELOAD module that notes a GTK 4 app's first frame
 *
 * bench-app launch preloads it into the program it starts (Consilium or
 * GNOME Text Editor alike). It interposes gtk_window_present(): the first
 * window presented gets a handler on its frame clock's "after-paint", and
 * the g_get_monotonic_time() of that first painted frame is written to the
 * file named by $BENCH_FIRST_FRAME_FILE. Nothing else changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#define G_LOG_DOMAIN "bench-first-frame"

#include <dlfcn.h>

#include <gtk/gtk.h>

static gboolean hooked;
static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  const char *path = g_getenv ("BENCH_FIRST_FRAME_FILE");
  char buf[32];

  if (painted)
    return;
  painted = TRUE;
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (path != NULL)
    g_file_set_contents (path, buf, -1, NULL);
}

static void
watch_frame_clock (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);

  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
}

static void
realize_cb (GtkWidget *widget,
            gpointer   user_data)
{
  watch_frame_clock (widget);
}

void
gtk_window_present (GtkWindow *window)
{
  static void (*real_present) (GtkWindow *window);

  if (real_present == NULL)
    real_present = (void (*) (GtkWindow *)) dlsym (RTLD_NEXT, "gtk_window_present");

  if (!hooked && GTK_IS_WINDOW (window))
    {
      hooked = TRUE;
      if (gtk_widget_get_realized (GTK_WIDGET (window)))
        watch_frame_clock (GTK_WIDGET (window));
      else
        g_signal_connect_after (window, "realize", G_CALLBACK (realize_cb), NULL);
    }

  if (real_present != NULL)
    real_present (window);
}
