package org.libcrm;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import org.libcrm.capi.CApi;

/**
 * A C handle (crm_dataset * or crm_model *) owned by one Java object: freed by close(),
 * or by the Cleaner once the owner is unreachable (fallback). Use after close is an
 * IllegalStateException, never a call into C with a freed pointer.
 */
final class Handle {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The state the Cleaner runs: must not refer to the owner. */
    private static final class State implements Runnable {
        private volatile Pointer ptr;
        private final boolean model;

        State(Pointer ptr, boolean model) {
            this.ptr = ptr;
            this.model = model;
        }

        @Override
        public void run() {
            Pointer p;
            synchronized (this) {
                p = ptr;
                ptr = null;
            }
            if (p != null) {
                if (model) {
                    CApi.crm_model_free(p);
                } else {
                    CApi.crm_dataset_free(p);
                }
            }
        }
    }

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private final String what;

    private Handle(Object owner, Pointer ptr, boolean model, String what) {
        if (ptr == null) {
            throw new IllegalStateException("libcrm returned no " + what);
        }
        this.state = new State(ptr, model);
        this.cleanable = CLEANER.register(owner, state);
        this.what = what;
    }

    static Handle dataset(Object owner, Pointer ptr) {
        return new Handle(owner, ptr, false, "dataset");
    }

    static Handle model(Object owner, Pointer ptr) {
        return new Handle(owner, ptr, true, "model");
    }

    /** The pointer; IllegalStateException once closed. */
    Pointer get() {
        Pointer p = state.ptr;
        if (p == null) {
            throw new IllegalStateException("the " + what + " has been closed");
        }
        return p;
    }

    boolean closed() {
        return state.ptr == null;
    }

    /** Free now (once; later calls do nothing). */
    void close() {
        cleanable.clean();
    }
}
