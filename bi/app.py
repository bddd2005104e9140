"""The KPI report: Streamlit app over the pipeline's publication (see the README, "The KPI report in a BI tool").

Run with `make bi` from the repository root (or `streamlit run app.py` from bi/).
"""

import streamlit as st

st.set_page_config(page_title="AI hubs — KPIs", layout="wide")

navigation = st.navigation(
    [
        st.Page("views/summary.py", title="Executive summary", default=True),
        st.Page("views/hub.py", title="Hub", url_path="hub"),
    ]
)
navigation.run()
