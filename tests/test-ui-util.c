/* test-ui-util.c: what the widget tests and the screenshot drivers share
 * (test-ui-util.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#ifdef CS_TEST_UI_X11
# include <dlfcn.h>
# include <gdk/x11/gdkx.h>
#endif

#include "cs-compose-page-private.h"
#include "test-ui-util.h"

void
cs_test_ui_write_providers (const char *config_home,
                            const char *ini)
{
  g_autofree char *dir = g_build_filename (config_home, "consilium", NULL);
  g_autofree char *path = g_build_filename (dir, "providers.ini", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, ini, -1, &error);
  g_assert_no_error (error);
}

CsApplication *
cs_test_ui_start_app (const char *tag)
{
  CsApplication *app = cs_application_new (G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  static guint n_apps;

  id = g_strdup_printf ("%s.%s%u", APP_ID, tag, n_apps++);
  g_application_set_application_id (G_APPLICATION (app), id);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

GPtrArray *
cs_test_ui_preferences_pages (AdwPreferencesWindow *window)
{
  GtkWidget *visible = GTK_WIDGET (adw_preferences_window_get_visible_page (window));
  GtkWidget *stack = visible != NULL ? gtk_widget_get_parent (visible) : NULL;
  g_autoptr(GtkSelectionModel) pages = NULL;
  GPtrArray *out = g_ptr_array_new ();

  g_assert_true (ADW_IS_VIEW_STACK (stack));
  pages = adw_view_stack_get_pages (ADW_VIEW_STACK (stack));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (pages)); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      g_ptr_array_add (out, adw_view_stack_page_get_child (page));
    }
  return out;
}

GtkWidget *
cs_test_ui_find_named (GtkWidget  *root,
                       const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cs_test_ui_find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct {
  guint left;
} Frames;

static gboolean
count_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  Frames *frames = data;

  if (frames->left > 0)
    frames->left--;
  return frames->left > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
frames_drawn (gpointer data)
{
  return ((Frames *) data)->left == 0;
}

gboolean
cs_test_ui_wait_frames (GtkWidget *widget,
                        guint      n_frames,
                        guint      timeout_ms)
{
  Frames frames = { n_frames };
  guint id;
  gboolean ok;

  if (n_frames == 0)
    return TRUE;
  id = gtk_widget_add_tick_callback (widget, count_frame_cb, &frames, NULL);
  /* a tick callback runs only while frames are drawn: ask for one */
  gtk_widget_queue_draw (widget);
  ok = cs_test_wait_for (frames_drawn, &frames, timeout_ms);
  if (!ok)
    gtk_widget_remove_tick_callback (widget, id);
  return ok;
}

static gboolean
low_idle_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_set (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
cs_test_ui_settle (guint timeout_ms)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  gboolean idled = FALSE;
  gboolean ok = TRUE;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_mapped (window))
        ok = cs_test_ui_wait_frames (window, 2, timeout_ms) && ok;
    }
  g_idle_add_full (G_PRIORITY_LOW, low_idle_cb, &idled, NULL);
  if (!cs_test_wait_for (is_set, &idled, timeout_ms))
    {
      /* not to be called after this frame is gone */
      g_idle_remove_by_data (&idled);
      return FALSE;
    }
  return ok;
}

typedef struct {
  GtkWidget     *widget;
  GdkPaintable  *paintable;
  GskRenderNode *node;
  int            width;
  int            height;
} Drawing;

static gboolean
drawn (gpointer data)
{
  Drawing *d = data;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();

  d->width = gtk_widget_get_width (d->widget);
  d->height = gtk_widget_get_height (d->widget);
  gdk_paintable_snapshot (d->paintable, GDK_SNAPSHOT (snapshot), d->width, d->height);
  g_clear_pointer (&d->node, gsk_render_node_unref);
  d->node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  return d->node != NULL;
}

gboolean
cs_test_ui_save_png (GtkWidget   *widget,
                     const char  *path,
                     guint        timeout_ms,
                     GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GdkTexture) texture = NULL;
  Drawing d = { widget, paintable, NULL, 0, 0 };
  GskRenderer *renderer;

  /* what changed last is laid out and drawn */
  cs_test_ui_settle (timeout_ms);
  if (!cs_test_wait_for (drawn, &d, timeout_ms))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing drawn for %s", path);
      return FALSE;
    }
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, d.node,
                                         &GRAPHENE_RECT_INIT (0, 0, d.width, d.height));
  gsk_render_node_unref (d.node);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "could not write %s", path);
      return FALSE;
    }
  return TRUE;
}

void
cs_test_ui_save_shot (GtkWidget  *widget,
                      const char *name)
{
  const char *dir = g_getenv ("CS_TEST_UI_SHOTS");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (dir == NULL)
    return;
  path = g_build_filename (dir, name, NULL);
  cs_test_ui_save_png (widget, path, 5000, &error);
  g_assert_no_error (error);
}

#ifdef CS_TEST_UI_X11
typedef int (*FakeKeyFunc) (Display *, unsigned int, int, unsigned long);

gboolean
cs_test_ui_press_key (GtkWidget *window,
                      gulong     modifier,
                      gulong     keysym)
{
  GdkDisplay *display = gtk_widget_get_display (window);
  static FakeKeyFunc fake;
  Display *x;

  if (!GDK_IS_X11_DISPLAY (display))
    return FALSE;
  if (fake == NULL)
    {
      void *lib = dlopen ("libXtst.so.6", RTLD_NOW);

      if (lib == NULL || (fake = (FakeKeyFunc) dlsym (lib, "XTestFakeKeyEvent")) == NULL)
        return FALSE;
    }

  x = gdk_x11_display_get_xdisplay (display);
  XSetInputFocus (x, gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window))),
                  RevertToParent, CurrentTime);
  if (modifier != 0)
    fake (x, XKeysymToKeycode (x, modifier), True, 0);
  fake (x, XKeysymToKeycode (x, keysym), True, 0);
  fake (x, XKeysymToKeycode (x, keysym), False, 0);
  if (modifier != 0)
    fake (x, XKeysymToKeycode (x, modifier), False, 0);
  XFlush (x);
  return TRUE;
}

typedef int (*FakeMotionFunc) (Display *, int, int, int, unsigned long);
typedef int (*FakeButtonFunc) (Display *, unsigned int, int, unsigned long);

gboolean
cs_test_ui_wheel (GtkWidget *widget,
                  double     x,
                  double     y,
                  gboolean   down)
{
  GdkDisplay *display = gtk_widget_get_display (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  static FakeMotionFunc motion;
  static FakeButtonFunc button;
  graphene_point_t p;
  double sx = 0, sy = 0;
  int root_x = 0, root_y = 0;
  Window child;
  Display *xd;

  if (!GDK_IS_X11_DISPLAY (display))
    return FALSE;
  if (motion == NULL || button == NULL)
    {
      void *lib = dlopen ("libXtst.so.6", RTLD_NOW);

      if (lib == NULL ||
          (motion = (FakeMotionFunc) dlsym (lib, "XTestFakeMotionEvent")) == NULL ||
          (button = (FakeButtonFunc) dlsym (lib, "XTestFakeButtonEvent")) == NULL)
        return FALSE;
    }

  /* the widget's point on the surface, then on the screen */
  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (native, &sx, &sy);
  xd = gdk_x11_display_get_xdisplay (display);
  XTranslateCoordinates (xd, gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                         DefaultRootWindow (xd), (int) (p.x + sx), (int) (p.y + sy),
                         &root_x, &root_y, &child);
  motion (xd, -1, root_x, root_y, 0);
  /* X's buttons 4 and 5 are the wheel's notches up and down */
  button (xd, down ? 5 : 4, True, 0);
  button (xd, down ? 5 : 4, False, 0);
  XFlush (xd);
  return TRUE;
}
#endif

static gboolean
models_ready (gpointer page)
{
  return CS_COMPOSE_PAGE (page)->models_ready;
}

gboolean
cs_test_ui_wait_models (gpointer page,
                        guint    timeout_ms)
{
  g_return_val_if_fail (CS_IS_COMPOSE_PAGE (page), FALSE);

  return cs_test_wait_for (models_ready, page, timeout_ms);
}
