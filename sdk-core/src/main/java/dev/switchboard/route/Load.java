package dev.switchboard.route;

/**
 * How busy the servers behind one model are right now, as its provider knows it: for routers that
 * send work where the queue is short. A self-hosted provider reports its replicas' scraped queue
 * metrics and its own calls in flight; a hosted API reports nothing ({@code ProviderAdapter.load}
 * is empty). Immutable.
 *
 * @param replicas servers that serve the model
 * @param healthyReplicas those that may take calls now
 * @param running requests the servers reported running at their last scrape
 * @param waiting requests the servers reported queued at their last scrape
 * @param inFlight calls this client has sent that have not finished
 */
public record Load(int replicas, int healthyReplicas, int running, int waiting, int inFlight) {
  public Load {
    if (replicas < 0 || healthyReplicas < 0 || healthyReplicas > replicas || running < 0 || waiting < 0
        || inFlight < 0) {
      throw new IllegalArgumentException("Load needs counts >= 0 and healthyReplicas <= replicas, got " + replicas
          + " replicas, " + healthyReplicas + " healthy, " + running + " running, " + waiting + " waiting, "
          + inFlight + " in flight");
    }
  }

  /** Work per healthy replica ({@code running + waiting + inFlight}); infinite when none is healthy. */
  public double perHealthyReplica() {
    return healthyReplicas == 0 ? Double.POSITIVE_INFINITY : (double) (running + waiting + inFlight) / healthyReplicas;
  }
}
