#ifndef FTSH_CLIBEDIT_SHIM_H
#define FTSH_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <histedit.h>

/*
 * Swift cannot call C variadic functions, and el_set/el_get/history are all variadic.
 * These fixed-arity wrappers give Swift one typed entry point per option ftsh uses.
 * No state lives here: a static in a header would be duplicated in every importer.
 */

typedef char *(*ft_prompt_fn)(EditLine *);
typedef unsigned char (*ft_el_fn)(EditLine *, int);
typedef int (*ft_getc_fn)(EditLine *, wchar_t *);

/* Swift 6 rejects touching the C library's global FILE pointers directly. */
static inline FILE *ft_stdin(void) { return stdin; }
static inline FILE *ft_stdout(void) { return stdout; }
static inline FILE *ft_stderr(void) { return stderr; }

static inline int ft_el_set_prompt_esc(EditLine *el, ft_prompt_fn f, char delimiter) {
    return el_set(el, EL_PROMPT_ESC, f, delimiter);
}
static inline int ft_el_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}
static inline int ft_el_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}
static inline int ft_el_set_getcfn(EditLine *el, ft_getc_fn f) {
    return el_set(el, EL_GETCFN, f);
}
/* Redraws the prompt and the line, as after the shell comes back to the foreground. */
static inline int ft_el_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}
/* Puts the terminal into libedit's editing mode (1) or back to the user's mode (0). */
static inline int ft_el_prep_term(EditLine *el, int raw) {
    return el_set(el, EL_PREP_TERM, raw);
}
static inline int ft_el_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}
static inline void *ft_el_get_clientdata(EditLine *el) {
    void *p = NULL;
    el_get(el, EL_CLIENTDATA, &p);
    return p;
}
static inline int ft_el_addfn(EditLine *el, const char *name, const char *help, ft_el_fn f) {
    return el_set(el, EL_ADDFN, name, help, f);
}
static inline int ft_el_bind(EditLine *el, const char *key, const char *fn) {
    return el_set(el, EL_BIND, key, fn, (const char *)NULL);
}
static inline int ft_el_set_hist(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}
/* "emacs" or "vi": a user's ~/.editrc may have switched it. */
static inline const char *ft_el_get_editor(EditLine *el) {
    const char *mode = NULL;
    if (el_get(el, EL_EDITOR, &mode) != 0) return NULL;
    return mode;
}
static inline int ft_el_set_editmode(EditLine *el, int on) {
    return el_set(el, EL_EDITMODE, on);
}
static inline int ft_el_get_editmode(EditLine *el) {
    int on = 0;
    if (el_get(el, EL_EDITMODE, &on) != 0) return -1;
    return on;
}
/* Width of the terminal as libedit sees it (termcap "co"), or -1. */
static inline int ft_el_get_columns(EditLine *el) {
    int cols = -1;
    if (el_get(el, EL_GETTC, "co", &cols, (void *)NULL) != 0) return -1;
    return cols;
}

static inline int ft_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}
static inline int ft_history_enter(History *h, const char *s) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, s);
}
static inline int ft_history_clear(History *h) {
    HistEvent ev;
    return history(h, &ev, H_CLEAR);
}
/* Used by tests to check that libedit itself reads and writes ftsh's history file format. */
static inline int ft_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}
static inline int ft_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}
/* Walks from the oldest entry (first call with from_start = 1) to the newest; NULL at the end. */
static inline const char *ft_history_walk(History *h, int from_start) {
    HistEvent ev;
    if (history(h, &ev, from_start ? H_LAST : H_PREV) != 0) return NULL;
    return ev.str;
}

#endif
